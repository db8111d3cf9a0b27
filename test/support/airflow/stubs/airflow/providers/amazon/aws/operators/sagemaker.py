from airflow._recorder import SageMakerProcessingOperator, SageMakerTrainingOperator, SageMakerTuningOperator  # noqa: F401
