from airflow._recorder import AirflowFailException  # noqa: F401
