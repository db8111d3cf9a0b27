from airflow._recorder import CronDataIntervalTimetable, DeltaDataIntervalTimetable  # noqa: F401
