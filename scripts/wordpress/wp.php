<?php
// Drives one Debian WordPress instance from the PHP CLI (no wp-cli in Debian 12):
//   php wp.php HOST install TITLE THEME LOCALE [PERMALINKS]   (re)create the database and install
//                                                WordPress (PERMALINKS '' is WordPress's plain ?p=ID)
//   php wp.php HOST apply PLAN.json              create users, categories, posts; edit, trash
//   php wp.php HOST truth                        every post and page as JSON on stdout
// HOST is ADDR:PORT; Debian's wp-config.php reads /etc/wordpress/config-$NEWSROOM_WP_CONFIG.php
// (else config-ADDR.php) for it.
if (PHP_SAPI !== 'cli') {
    exit(1);
}
[$_, $host, $command] = array_slice($argv, 0, 3) + [null, null, null];
if (!$host || !$command) {
    fwrite(STDERR, "usage: php wp.php ADDR:PORT install|apply|truth ...\n");
    exit(2);
}
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['SERVER_NAME'] = preg_replace('/:.*/', '', $host);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$config_name = getenv('NEWSROOM_WP_CONFIG') ?: $_SERVER['SERVER_NAME'];
$_SERVER['WORDPRESS_CONFIG'] = $config_name;
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

if ($command === 'install') {
    [$title, $theme, $locale] = array_slice($argv, 3, 3);
    // The instance's config defines DB_*; wp-config.php later require_once's the same file.
    require_once '/etc/wordpress/config-' . $config_name . '.php';
    [$db_host, $db_port] = explode(':', DB_HOST) + [1 => 3306];
    $db = new mysqli($db_host, DB_USER, DB_PASSWORD, '', (int) $db_port);
    $db->query('DROP DATABASE IF EXISTS `' . DB_NAME . '`');
    $db->query('CREATE DATABASE `' . DB_NAME . '` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    $db->close();
    define('WP_INSTALLING', true);
}
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
add_filter('pre_wp_mail', '__return_false');  // no mail transport here, and none wanted

function fail(string $message): void
{
    fwrite(STDERR, $message . "\n");
    exit(1);
}

function install(string $title, string $theme, string $locale, string $permalinks = '/%year%/%monthnum%/%day%/%postname%/'): void
{
    global $wp_rewrite;
    $result = wp_install($title, 'admin', 'admin@example.invalid', true, '', wp_generate_password(24), $locale);
    if (is_wp_error($result)) {
        fail('wp_install: ' . $result->get_error_message());
    }
    wp_set_current_user($result['user_id']);
    // Only the seeded content: the default "Hello world!", sample page and privacy draft go.
    foreach (get_posts(['post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1]) as $post) {
        wp_delete_post($post->ID, true);
    }
    update_option('timezone_string', 'Europe/Berlin');
    update_option('date_format', $locale === 'de_DE' ? 'j. F Y' : 'F j, Y');
    update_option('blogdescription', 'Nachrichten aus Deutschland');
    update_option('WPLANG', $locale === 'en_US' ? '' : $locale);
    update_option('default_comment_status', 'closed');
    update_option('default_pingback_flag', 0);
    update_option('default_ping_status', 'closed');
    $wp_rewrite->set_permalink_structure($permalinks);
    $wp_rewrite->flush_rules(false);
    if (!wp_get_theme($theme)->exists()) {
        fail("theme $theme is not installed");
    }
    switch_theme($theme);
}

function post_id(string $key): int
{
    $found = get_posts([
        'post_type' => 'any', 'post_status' => 'any', 'numberposts' => 1, 'fields' => 'ids',
        'meta_key' => '_newsroom_key', 'meta_value' => $key,
    ]);
    if (!$found) {
        fail("no post with key $key");
    }
    return (int) $found[0];
}

function apply_plan(array $plan): void
{
    wp_set_current_user(1);  // the administrator may post unfiltered HTML (block comments, <h2>)
    $users = [];
    foreach ($plan['users'] ?? [] as $u) {
        $id = wp_insert_user([
            'user_login' => $u['login'], 'user_pass' => wp_generate_password(24),
            'user_email' => $u['login'] . '@example.invalid', 'user_nicename' => $u['login'],
            'display_name' => $u['display_name'], 'nickname' => $u['display_name'],
            'first_name' => $u['first_name'] ?? '', 'last_name' => $u['last_name'] ?? '', 'role' => 'author',
        ]);
        if (is_wp_error($id)) {
            fail('user ' . $u['login'] . ': ' . $id->get_error_message());
        }
    }
    foreach ($plan['categories'] ?? [] as $c) {
        if (get_term_by('slug', $c['slug'], 'category')) {
            continue;  // plans of later days repeat the categories they use
        }
        $parent = $c['parent'] ? get_term_by('slug', $c['parent'], 'category')->term_id : 0;
        $term = wp_insert_term($c['name'], 'category', ['slug' => $c['slug'], 'parent' => $parent]);
        if (is_wp_error($term)) {
            fail('category ' . $c['slug'] . ': ' . $term->get_error_message());
        }
    }
    foreach ($plan['posts'] ?? [] as $p) {
        $author = get_user_by('login', $p['author']);
        $fields = [
            'post_type' => $p['type'], 'post_status' => $p['status'], 'post_title' => $p['title'],
            'post_name' => $p['slug'], 'post_content' => $p['content'], 'post_excerpt' => $p['excerpt'] ?? '',
            'post_author' => $author ? $author->ID : 1, 'post_date' => $p['date'],
            'post_date_gmt' => $p['date_gmt'], 'post_password' => $p['password'] ?? '',
            'comment_status' => 'closed', 'ping_status' => 'closed',
            'meta_input' => ['_newsroom_key' => $p['key']],
        ];
        if ($p['type'] === 'post') {
            $fields['post_category'] = [get_term_by('slug', $p['category'], 'category')->term_id];
            $fields['tags_input'] = $p['tags'];
        }
        $id = wp_insert_post(wp_slash($fields), true);
        if (is_wp_error($id)) {
            fail('post ' . $p['key'] . ': ' . $id->get_error_message());
        }
        if (!empty($p['sticky'])) {
            stick_post($id);
        }
    }
    foreach ($plan['edits'] ?? [] as $e) {
        // WordPress stamps post_modified with the current time, as an editor's save does; a new slug
        // is kept as _wp_old_slug, so the old URL redirects, as after an editor's rename.
        $fields = ['ID' => post_id($e['key'])];
        foreach (['content' => 'post_content', 'title' => 'post_title', 'slug' => 'post_name'] as $key => $field) {
            if (isset($e[$key])) {
                $fields[$field] = $e[$key];
            }
        }
        if (isset($e['category'])) {
            $fields['post_category'] = [get_term_by('slug', $e['category'], 'category')->term_id];
        }
        $id = wp_update_post(wp_slash($fields), true);
        if (is_wp_error($id)) {
            fail('edit ' . $e['key'] . ': ' . $id->get_error_message());
        }
    }
    foreach ($plan['trash'] ?? [] as $key) {
        if (!wp_trash_post(post_id($key))) {
            fail("trash $key failed");
        }
    }
}

function category_path(int $term_id): array
{
    $names = [];
    foreach (array_reverse(get_ancestors($term_id, 'category', 'taxonomy')) as $ancestor) {
        $names[] = get_term($ancestor, 'category')->name;
    }
    $names[] = get_term($term_id, 'category')->name;
    return $names;
}

function truth(): array
{
    $rows = [];
    $query = ['post_type' => ['post', 'page'], 'post_status' => ['publish', 'draft', 'private', 'trash', 'future'],
              'numberposts' => -1, 'orderby' => 'ID', 'order' => 'ASC'];
    foreach (get_posts($query) as $post) {
        $categories = $post->post_type === 'post' ? wp_get_post_categories($post->ID) : [];
        $rows[] = [
            'key' => get_post_meta($post->ID, '_newsroom_key', true),
            'id' => $post->ID,
            'type' => $post->post_type,
            'status' => $post->post_status,
            'password' => $post->post_password !== '',
            'sticky' => is_sticky($post->ID),
            'url' => get_permalink($post),
            'title' => $post->post_title,
            'category_path' => $categories ? category_path($categories[0]) : [],
            'tags' => $post->post_type === 'post' ? wp_get_post_tags($post->ID, ['fields' => 'names']) : [],
            'author' => get_the_author_meta('display_name', $post->post_author),
            'date_gmt' => $post->post_date_gmt,
            'modified_gmt' => $post->post_modified_gmt,
        ];
    }
    return $rows;
}

switch ($command) {
    case 'install':
        install(...array_slice($argv, 3, 4));
        break;
    case 'apply':
        $plan = json_decode(file_get_contents($argv[3]), true, 512, JSON_THROW_ON_ERROR);
        apply_plan($plan);
        break;
    case 'truth':
        echo json_encode(truth(), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        break;
    default:
        fail("unknown command $command");
}
