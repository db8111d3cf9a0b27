from airflow._recorder import SageMakerHook  # noqa: F401
