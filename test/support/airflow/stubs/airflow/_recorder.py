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
