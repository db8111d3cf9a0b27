from airflow._recorder import DAG, Param, task  # noqa: F401
