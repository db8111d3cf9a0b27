from airflow._recorder import task  # noqa: F401
