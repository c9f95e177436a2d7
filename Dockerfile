# newsroom on Airflow's official image: the built wheel and the DAGs, nothing else.
#
#   python -m build --wheel          (or: pip wheel --no-deps -w dist .)
#   docker build -t newsroom-airflow:0.1.0 .
#
# The wheel is installed with Airflow's constraints for this Airflow and Python, so nothing the image ships
# is up- or downgraded. Without internet at build time, pass a constraints file of your own:
#   docker build --build-arg CONSTRAINTS=constraints/airflow-3.3.2-python3.11.txt .
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}

ARG AIRFLOW_VERSION
ARG PYTHON_VERSION
ARG CONSTRAINTS=https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt

COPY --chown=airflow:0 dist/newsroom-*.whl constraints/ /tmp/newsroom/
# Pinning apache-airflow keeps pip from touching the image's Airflow. No `embedded` extra: the image talks to
# the compose file's PostgreSQL (connection news_db), never to an embedded server.
RUN case "$CONSTRAINTS" in http*) c="$CONSTRAINTS" ;; *) c="/tmp/newsroom/$(basename "$CONSTRAINTS")" ;; esac \
    && pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" \
        "$(ls /tmp/newsroom/newsroom-*.whl)[celery]" --constraint "$c" \
    && rm -rf /tmp/newsroom

COPY --chown=airflow:0 dags/ /opt/airflow/dags/
