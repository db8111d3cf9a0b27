from airflow._recorder import SageMakerProcessingOperator, SageMakerTrainingOperator  # noqa: F401
