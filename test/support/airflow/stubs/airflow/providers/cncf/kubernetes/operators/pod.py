from airflow._recorder import KubernetesPodOperator  # noqa: F401
