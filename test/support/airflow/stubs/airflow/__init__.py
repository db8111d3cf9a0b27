from airflow._recorder import DAG  # noqa: F401
