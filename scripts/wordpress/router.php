<?php
// Router for `php -S ADDR:PORT router.php`, document root /usr/share/wordpress: existing files are
// served as they are, everything else goes through WordPress's front controller (pretty permalinks).
//
// NEWSROOM_WP_FAIL_ONCE_DIR names a directory of marker files, one per URL path (md5 of the path):
// the first request to a marked path answers 500 and removes the marker, later ones are served. This
// is how a WordPress under load fails transiently; unlink() succeeding for only one caller makes it
// exactly once even if several processes serve.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
$fail_dir = getenv('NEWSROOM_WP_FAIL_ONCE_DIR');
if ($fail_dir && @unlink($fail_dir . '/' . md5($path))) {
    http_response_code(500);
    header('Content-Type: text/html; charset=UTF-8');
    echo "<!DOCTYPE html><html><head><title>Internal Server Error</title></head>"
        . "<body><h1>Internal Server Error</h1></body></html>";
    return true;
}
// Debian's wp-config.php loads /etc/wordpress/config-$WORDPRESS_CONFIG.php when this is set: one
// config per instance (address and port), so concurrent test runs never share a database.
$config = getenv('NEWSROOM_WP_CONFIG');
if ($config) {
    $_SERVER['WORDPRESS_CONFIG'] = $config;
}
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && file_exists($file)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
