from airflow._recorder import Param  # noqa: F401
