from airflow._recorder import S3Hook  # noqa: F401
