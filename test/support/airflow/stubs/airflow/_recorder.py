"""A fake Airflow for tests: DAG, Param, operators and the task decorators record what a DAG file
declares (tasks, arguments, upstream edges) instead of scheduling anything. Only the parts the
cdk-mlops compiler emits exist; anything else fails loudly with AttributeError or TypeError."""

NOTSET = object()
DAGS = []


class DAG:
    current = None

    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = {}
        DAGS.append(self)

    def __enter__(self):
        if DAG.current is not None:
            raise RuntimeError("nested DAG context")
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None
        return False


class Param:
    def __init__(self, default=NOTSET, **kwargs):
        self.default = default
        self.kwargs = kwargs


class BaseOperator:
    def __init__(self, task_id, kind, kwargs, mapped=None, callable_=None):
        dag = DAG.current
        if dag is None:
            raise RuntimeError(f"task {task_id!r} created outside a DAG context")
        if task_id in dag.tasks:
            raise RuntimeError(f"duplicate task id {task_id!r}")
        self.task_id = task_id
        self.kind = kind
        self.kwargs = kwargs
        self.mapped = mapped
        self.callable = callable_
        self.upstream = []
        dag.tasks[task_id] = self

    def _add_upstream(self, other):
        for o in other if isinstance(other, list) else [other]:
            if not isinstance(o, BaseOperator):
                raise TypeError(f"{o!r} is not a task")
            if o.task_id not in self.upstream:
                self.upstream.append(o.task_id)

    def __rshift__(self, other):
        for o in other if isinstance(other, list) else [other]:
            o._add_upstream(self)
        return other

    def __rrshift__(self, other):
        self._add_upstream(other)
        return self


class _Partial:
    def __init__(self, create, kwargs):
        self.create = create
        self.kwargs = kwargs

    def expand(self, **mapped):
        for name, values in mapped.items():
            if not isinstance(values, list):
                raise TypeError(f"expand({name}=...) needs a list")
        return self.create(self.kwargs, mapped)


class KubernetesPodOperator(BaseOperator):
    def __init__(self, task_id, **kwargs):
        super().__init__(task_id, "KubernetesPodOperator", kwargs)

    @classmethod
    def partial(cls, task_id, **kwargs):
        def create(kw, mapped):
            op = cls.__new__(cls)
            BaseOperator.__init__(op, task_id, "KubernetesPodOperator", kw, mapped=mapped)
            return op
        return _Partial(create, kwargs)


TASK_ARGUMENTS = {"task_id", "retries", "retry_delay", "retry_exponential_backoff", "execution_timeout", "trigger_rule"}


class _TaskFactory:
    def __init__(self, fn, kind, kwargs):
        unknown = set(kwargs) - TASK_ARGUMENTS
        if unknown:
            raise TypeError(f"unexpected task arguments {sorted(unknown)}")
        self.fn = fn
        self.kind = kind
        self.kwargs = kwargs

    def override(self, **kwargs):
        return _TaskFactory(self.fn, self.kind, {**self.kwargs, **kwargs})

    def __call__(self, *args, **call_kwargs):
        op = BaseOperator(self.kwargs.get("task_id", self.fn.__name__), self.kind, dict(self.kwargs), callable_=self.fn)
        op.op_args = list(args)
        op.op_kwargs = call_kwargs
        return op

    def partial(self, **call_kwargs):
        def create(kw, mapped):
            op = BaseOperator(self.kwargs.get("task_id", self.fn.__name__), self.kind, dict(self.kwargs), mapped=mapped, callable_=self.fn)
            op.op_args = []
            op.op_kwargs = kw
            return op
        return _Partial(create, call_kwargs)


def _decorator(kind):
    def decorate(fn=None, **kwargs):
        if fn is not None:
            return _TaskFactory(fn, kind, {})
        return lambda f: _TaskFactory(f, kind, kwargs)
    return decorate


class _Task:
    __call__ = staticmethod(_decorator("task"))
    branch = staticmethod(_decorator("task.branch"))


task = _Task()


class AirflowFailException(Exception):
    pass


class CronDataIntervalTimetable:
    def __init__(self, cron, timezone):
        self.cron = cron
        self.timezone = timezone


class DeltaDataIntervalTimetable:
    def __init__(self, delta):
        self.delta = delta


# The amazon provider's SageMaker operators: the keyword arguments their __init__ takes in the 8.x
# line (Amazon MWAA, Airflow 2.10) and in 9.x (Airflow 3) alike, besides BaseOperator's.
SAGEMAKER_JOB_ARGUMENTS = {"config", "aws_conn_id", "wait_for_completion", "print_log", "check_interval", "max_attempts", "max_ingestion_time", "action_if_job_exists", "deferrable"}


class _SageMakerJobOperator(BaseOperator):
    KIND = None
    EXTRA = set()

    def __init__(self, task_id, **kwargs):
        type(self)._check(kwargs)
        super().__init__(task_id, self.KIND, kwargs)

    @classmethod
    def _check(cls, kwargs, mapped=()):
        unknown = set(kwargs) - TASK_ARGUMENTS - SAGEMAKER_JOB_ARGUMENTS - cls.EXTRA
        if unknown:
            raise TypeError(f"{cls.KIND}: unexpected arguments {sorted(unknown)}")
        if "config" not in kwargs and "config" not in mapped:
            raise TypeError(f"{cls.KIND}: missing config")
        # 'timestamp' and 'fail' are the values every provider version accepts.
        if kwargs.get("action_if_job_exists", "timestamp") not in ("timestamp", "fail"):
            raise ValueError(f"{cls.KIND}: action_if_job_exists {kwargs['action_if_job_exists']!r}")

    @classmethod
    def partial(cls, task_id, **kwargs):
        def create(kw, mapped):
            cls._check(kw, mapped)
            op = cls.__new__(cls)
            BaseOperator.__init__(op, task_id, cls.KIND, kw, mapped=mapped)
            return op
        return _Partial(create, kwargs)


class SageMakerProcessingOperator(_SageMakerJobOperator):
    KIND = "SageMakerProcessingOperator"


class SageMakerTrainingOperator(_SageMakerJobOperator):
    KIND = "SageMakerTrainingOperator"
    EXTRA = {"check_if_job_exists"}


# SageMakerTuningOperator takes fewer: no print_log, max_attempts or action_if_job_exists (a taken name fails).
SAGEMAKER_TUNING_ARGUMENTS = {"config", "aws_conn_id", "wait_for_completion", "check_interval", "max_ingestion_time", "deferrable"}


class SageMakerTuningOperator(BaseOperator):
    KIND = "SageMakerTuningOperator"

    def __init__(self, task_id, **kwargs):
        unknown = set(kwargs) - TASK_ARGUMENTS - SAGEMAKER_TUNING_ARGUMENTS
        if unknown:
            raise TypeError(f"{self.KIND}: unexpected arguments {sorted(unknown)}")
        if "config" not in kwargs:
            raise TypeError(f"{self.KIND}: missing config")
        super().__init__(task_id, self.KIND, kwargs)


# What the hooks see in a run: S3 objects by s3:// URI (set by exec_dag.py), calls they made.
S3_OBJECTS = {}
CALLS = []


class _Body:
    def __init__(self, data):
        self.data = data

    def read(self):
        return self.data


class _S3Object:
    def __init__(self, data):
        self.data = data

    def get(self):
        return {"Body": _Body(self.data)}


class S3Hook:
    def __init__(self, aws_conn_id="aws_default", region_name=None):
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name

    @staticmethod
    def parse_s3_url(uri):
        if not uri.startswith("s3://"):
            raise ValueError(f"not an s3:// URL: {uri!r}")
        bucket, _, key = uri[len("s3://"):].partition("/")
        return bucket, key

    def _object(self, key, bucket_name):
        uri = f"s3://{bucket_name}/{key}"
        CALLS.append({"hook": "S3Hook", "aws_conn_id": self.aws_conn_id, "region_name": self.region_name, "read": uri})
        if uri not in S3_OBJECTS:
            raise KeyError(f"no S3 object {uri}")
        return S3_OBJECTS[uri]

    def read_key(self, key, bucket_name=None):
        return self._object(key, bucket_name).decode("utf-8")

    def get_key(self, key, bucket_name=None):
        return _S3Object(self._object(key, bucket_name))


class _SageMakerClient:
    def __init__(self, hook):
        self.hook = hook

    def create_model_package(self, **request):
        CALLS.append({"hook": "SageMakerHook", "call": "create_model_package", "request": request})
        return {"ModelPackageArn": f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{request['ModelPackageGroupName']}/1"}


class SageMakerHook:
    def __init__(self, aws_conn_id="aws_default", region_name=None):
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.conn = _SageMakerClient(self)

    def create_model_package_group(self, package_group_name, package_group_desc=""):
        CALLS.append({"hook": "SageMakerHook", "call": "create_model_package_group", "aws_conn_id": self.aws_conn_id, "name": package_group_name})
        return True
