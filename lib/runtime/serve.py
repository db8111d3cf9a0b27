"""cdk-mlops local model server: serves an inference script under the SageMaker scikit-learn contract.

    python3 serve.py --model-dir DIR --code-dir DIR --entry inference.py [--host 127.0.0.1] [--port 8080]

The entry module must define model_fn(model_dir); it may define input_fn(request_body, content_type),
predict_fn(input_object, model) and output_fn(prediction, accept), or transform_fn(model, request_body,
content_type, accept) instead of those three, as on a SageMaker scikit-learn endpoint. Routes: GET /ping,
POST /invocations. Once the model is loaded it prints one line to stdout,
{"event": "listening", "url": "http://HOST:PORT"}; everything else (the script's own prints included)
goes to stderr, one line per request. SIGTERM and SIGINT stop it with exit status 0.
Exit status 2: a broken contract (missing files, no model_fn); 1: the script failed to import or load.
Standard library only (Python 3.9+); numpy is used by the default decoders when importable.
"""
import argparse
import csv
import importlib.util
import io
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import numpy
except ImportError:
    numpy = None

PREFIX = "[mlops-serve]"
JSON, CSV, NPY, ANY = "application/json", "text/csv", "application/x-npy", "*/*"
TEXT_TYPES = (JSON, CSV)  # bodies the container hands to input_fn as str, the rest as bytes
# InvokeEndpoint's Body limit (botocore sagemaker-runtime 2017-05-13, shape BodyBlob: max 6291456).
MAX_BODY_BYTES = 6 * 1024 * 1024
DRAIN_LIMIT = 8 * MAX_BODY_BYTES  # read and drop an oversized body up to this size, so the client sees the 413


class ContractError(Exception):
    """The script or the arguments break the serving contract: exit status 2."""


class RequestError(Exception):
    """A request the server answers with a client or server error status."""

    def __init__(self, status, error, message):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def log(message):
    sys.stderr.write(f"{PREFIX} {message}\n")
    sys.stderr.flush()


def media_type(header):
    return (header or "").split(";", 1)[0].strip().lower()


def supported_types():
    """What the default input_fn reads and the default output_fn writes."""
    return [JSON, CSV, NPY] if numpy is not None else [JSON, CSV]


class UnsupportedFormatError(Exception):
    """Same name as sagemaker_containers' and sagemaker_inference's error: a script that raises its own
    class of this name from input_fn gets a 415, from output_fn a 406, as on the endpoint."""


def is_unsupported_format(error):
    return type(error).__name__ == "UnsupportedFormatError"


# ---- default handlers (sagemaker_sklearn_container.serving / sagemaker_containers._encoders) ----

def parse_csv(text):
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), strict=True), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        values = []
        for column, cell in enumerate(row, start=1):
            try:
                values.append(float(cell))
            except ValueError:
                raise ValueError(f"row {number}, column {column}: {cell.strip()!r} is not a number") from None
        if rows and len(values) != len(rows[0]):
            raise ValueError(f"row {number} has {len(values)} values, row 1 has {len(rows[0])}")
        rows.append(values)
    if not rows:
        raise ValueError("the body holds no CSV rows")
    return rows


def default_input_fn(request_body, content_type):
    kind = media_type(content_type)
    if kind not in supported_types():
        raise UnsupportedFormatError(content_type)
    if kind == NPY:
        return numpy.load(io.BytesIO(request_body), allow_pickle=False)
    data = parse_csv(request_body) if kind == CSV else json.loads(request_body)
    # The container casts JSON and CSV input to float32; one CSV line stays one row (a 2-D array).
    return numpy.array(data, dtype=numpy.float32) if numpy is not None else data


def default_predict_fn(input_object, model):
    return model.predict(input_object)


def as_rows(prediction):
    """The prediction as CSV rows: a scalar is one cell, a 1-D sequence one value per line."""
    if numpy is not None:
        array = numpy.asarray(prediction)
        return array.reshape(1, 1) if array.ndim == 0 else array.reshape(-1, 1) if array.ndim == 1 else array
    value = prediction.tolist() if hasattr(prediction, "tolist") else prediction
    if not isinstance(value, (list, tuple)):
        return [[value]]
    return [list(row) if isinstance(row, (list, tuple)) else [row] for row in value]


def default_output_fn(prediction, accept):
    kind = media_type(accept)
    if kind == JSON:
        def to_list(value):
            if hasattr(value, "tolist"):
                return value.tolist()
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        return json.dumps(prediction, default=to_list).encode("utf-8"), JSON
    if kind == CSV:
        stream = io.StringIO()
        csv.writer(stream, lineterminator="\n").writerows(as_rows(prediction))
        return stream.getvalue().encode("utf-8"), CSV
    if kind == NPY and numpy is not None:
        buffer = io.BytesIO()
        numpy.save(buffer, numpy.asarray(prediction))
        return buffer.getvalue(), NPY
    raise UnsupportedFormatError(accept)


# ---- accept negotiation ----

def default_accept():
    return os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or JSON


def requested_accept(header):
    """What output_fn is asked for: the Accept header, or the default when it is absent or */*."""
    header = (header or "").strip()
    return default_accept() if not header or media_type(header) == ANY else header


def choose_accept(accept):
    """The first type the default output_fn can write, in the client's q order; None when there is none."""
    offers = []
    for position, part in enumerate(accept.split(",")):
        fields = part.split(";")
        kind, quality = fields[0].strip().lower(), 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if kind and quality > 0:
            offers.append((-quality, position, kind))
    supported = supported_types()
    for _, _, kind in sorted(offers):
        if kind == ANY:
            kind = media_type(default_accept())
        elif kind.endswith("/*"):
            kind = next((s for s in supported if s.startswith(kind[:-1])), kind)
        if kind in supported:
            return kind
    return None


# ---- the user's module ----

def load_handlers(args):
    entry = os.path.join(args.code_dir, args.entry)
    for label, path, check in (("--model-dir", args.model_dir, os.path.isdir), ("--code-dir", args.code_dir, os.path.isdir), ("--entry", entry, os.path.isfile)):
        if not check(path):
            raise ContractError(f"{label} {path!r} does not exist or is not a {'file' if check is os.path.isfile else 'directory'}")
    sys.dont_write_bytecode = True  # leave the code directory as it was given (it may be a read-only model)
    sys.path.insert(0, os.path.abspath(args.code_dir))
    name = os.path.splitext(os.path.basename(args.entry))[0]
    spec = importlib.util.spec_from_file_location(name, entry)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    model_fn = getattr(module, "model_fn", None)
    if not callable(model_fn):
        raise ContractError(
            f"{args.entry} defines no model_fn; define model_fn(model_dir) in {entry} to load and return the "
            "model (the SageMaker scikit-learn container has no default model_fn either)")
    fns = {name: getattr(module, name, None) for name in ("input_fn", "predict_fn", "output_fn", "transform_fn")}
    if fns["transform_fn"] and (fns["input_fn"] or fns["predict_fn"] or fns["output_fn"]):
        raise ContractError(f"{args.entry} defines transform_fn together with input_fn, predict_fn or output_fn; "
                            "define either transform_fn or the other three, as the container requires")
    return model_fn, fns


class Handlers:
    """The model and the four steps of a request, defaults where the script defines none."""

    def __init__(self, model, fns):
        self.model = model
        self.transform_fn = fns["transform_fn"]
        self.input_fn = fns["input_fn"] or default_input_fn
        self.predict_fn = fns["predict_fn"] or default_predict_fn
        self.output_fn = fns["output_fn"]


def unsupported_content_type(content_type):
    return RequestError(415, "UnsupportedContentType",
                        f"Content-Type {content_type!r} is not supported; send one of {', '.join(supported_types())}"
                        + ("" if numpy is not None else f" ({NPY} needs numpy, which this Python cannot import)")
                        + ", or define input_fn(request_body, content_type) in the inference script")


def unsupported_accept(accept):
    return RequestError(406, "UnsupportedAccept",
                        f"Accept {accept!r} is not supported; ask for one of {', '.join(supported_types())}, "
                        "or define output_fn(prediction, accept) in the inference script")


def refused(status, name, stage, header, value, error):
    log(f"{stage} refused {header} {value!r}: {type(error).__name__}: {error}")
    return RequestError(status, name, f"{stage} in the inference script refused {header} {value!r} ({type(error).__name__}: {error})")


def failure(status, error, stage, trace=True):
    """The error response for an exception; the traceback goes to stderr only."""
    log(f"{stage} raised {type(error).__name__}: {error}" + (f"\n{traceback.format_exc().rstrip()}" if trace else ""))
    return RequestError(status, type(error).__name__, f"{stage} raised {type(error).__name__}: {error}")


def as_bytes(result, accept, stage):
    """A script's output: bytes or str, optionally as a (body, content_type) tuple like the toolkit's."""
    content_type = None
    if isinstance(result, tuple) and len(result) == 2:
        result, content_type = result
    if isinstance(result, str):
        result = result.encode("utf-8")
    if not isinstance(result, (bytes, bytearray)):
        raise RequestError(500, "TypeError", f"{stage} returned {type(result).__name__}; return bytes or str "
                           "serialized for the accept type, or a (body, content_type) tuple")
    if content_type is None:
        concrete = "," not in accept and "*" not in accept
        content_type = accept if concrete else "application/octet-stream"
    return bytes(result), content_type


def invoke(handlers, body, content_type, accept):
    if handlers.transform_fn is not None:
        try:
            result = handlers.transform_fn(handlers.model, body, content_type, accept)
        except Exception as error:  # noqa: BLE001 - the script's failure becomes the response
            if is_unsupported_format(error):
                raise refused(415, "UnsupportedContentType", "transform_fn", "Content-Type", content_type, error) from None
            raise failure(500, error, "transform_fn") from None
        return as_bytes(result, accept, "transform_fn")
    if handlers.input_fn is default_input_fn and media_type(content_type) not in supported_types():
        raise unsupported_content_type(content_type)
    chosen = choose_accept(accept) if handlers.output_fn is None else accept
    if chosen is None:
        raise unsupported_accept(accept)  # before predicting: the answer could not be written anyway
    try:
        data = handlers.input_fn(body, content_type)
    except Exception as error:  # noqa: BLE001
        if is_unsupported_format(error):
            raise refused(415, "UnsupportedContentType", "input_fn", "Content-Type", content_type, error) from None
        if handlers.input_fn is default_input_fn:  # a malformed body, not a bug: no traceback
            raise failure(400, error, f"decoding the {media_type(content_type)} body", trace=False) from None
        raise failure(400, error, "input_fn") from None
    try:
        prediction = handlers.predict_fn(data, handlers.model)
    except Exception as error:  # noqa: BLE001
        raise failure(500, error, "predict_fn") from None
    try:
        if handlers.output_fn is None:
            return default_output_fn(prediction, chosen)
        result = handlers.output_fn(prediction, accept)
    except Exception as error:  # noqa: BLE001
        if is_unsupported_format(error) and handlers.output_fn is not None:
            raise refused(406, "UnsupportedAccept", "output_fn", "Accept", accept, error) from None
        raise failure(500, error, "output_fn") from None
    return as_bytes(result, accept, "output_fn")


# ---- HTTP ----

def make_request_handler(handlers):
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "mlops-serve"

        def log_message(self, format, *args):  # noqa: A002 - the per-request line is written in respond()
            pass

        def respond(self, status, body=b"", content_type=None):
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            elapsed = (time.monotonic() - self.started) * 1000
            log(f"{self.command} {self.path} {status} {elapsed:.1f}ms")

        def respond_error(self, error):
            body = json.dumps({"error": error.error, "message": error.message}).encode("utf-8")
            self.respond(error.status, body, JSON)

        def route(self):
            return self.path.split("?", 1)[0]

        def do_GET(self):  # noqa: N802 - http.server's naming
            self.started = time.monotonic()
            if self.route() == "/ping":
                return self.respond(200)
            self.not_found_or_not_allowed("GET")

        def do_POST(self):  # noqa: N802
            self.started = time.monotonic()
            if self.route() != "/invocations":
                self.drain(self.content_length() or 0)
                return self.not_found_or_not_allowed("POST")
            try:
                body = self.read_body()
                content_type = self.headers.get("ContentType") or self.headers.get("Content-Type") or JSON
                if media_type(content_type) in TEXT_TYPES:
                    try:
                        body = body.decode("utf-8")
                    except UnicodeDecodeError as error:
                        raise RequestError(400, "UnicodeDecodeError", f"the {media_type(content_type)} body is not UTF-8: {error}") from None
                self.respond(200, *invoke(handlers, body, content_type, requested_accept(self.headers.get("Accept"))))
            except RequestError as error:
                self.respond_error(error)
            except Exception as error:  # noqa: BLE001 - a server bug still gets an answer, not a dropped connection
                self.respond_error(failure(500, error, "serving the request"))

        def not_found_or_not_allowed(self, method):
            allowed = {"/ping": "GET", "/invocations": "POST"}.get(self.route())
            if allowed is None:
                return self.respond_error(RequestError(404, "NotFound", f"no route {method} {self.route()}; the server answers GET /ping and POST /invocations"))
            self.respond_error(RequestError(405, "MethodNotAllowed", f"{self.route()} answers {allowed} only, not {method}"))

        def content_length(self):
            try:
                return int(self.headers.get("Content-Length"))
            except (TypeError, ValueError):
                return None

        def read_body(self):
            length = self.content_length()
            if length is None:
                if self.headers.get("Transfer-Encoding"):
                    self.close_connection = True
                raise RequestError(411, "LengthRequired", "POST /invocations needs a Content-Length header")
            if length > MAX_BODY_BYTES:
                self.drain(length)
                raise RequestError(413, "PayloadTooLarge", f"the request body is {length} bytes; a SageMaker "
                                   f"real-time endpoint accepts at most {MAX_BODY_BYTES} bytes (6 MB)")
            return self.rfile.read(length)

        def drain(self, length):
            if length > DRAIN_LIMIT:
                self.close_connection = True
                return
            while length > 0:
                chunk = self.rfile.read(min(length, 1 << 16))
                if not chunk:
                    break
                length -= len(chunk)

    return RequestHandler


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="mlops-serve", description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, help="directory passed to model_fn")
    parser.add_argument("--code-dir", required=True, help="directory holding the inference script (added to sys.path)")
    parser.add_argument("--entry", required=True, help="inference script, relative to --code-dir")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    # Only the listening line may reach stdout: the script's prints (and C-level writes) go to stderr.
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        model_fn, fns = load_handlers(args)
    except ContractError as error:
        log(str(error))
        return 2
    except Exception:  # noqa: BLE001
        log(f"importing {args.entry} failed:\n{traceback.format_exc().rstrip()}")
        return 1
    started = time.monotonic()
    try:
        model = model_fn(args.model_dir)
    except Exception:  # noqa: BLE001
        log(f"model_fn({args.model_dir!r}) failed:\n{traceback.format_exc().rstrip()}")
        return 1
    log(f"model_fn loaded the model in {time.monotonic() - started:.2f}s")

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        daemon_threads = True

    try:
        server = Server((args.host, args.port), make_request_handler(Handlers(model, fns)))
    except OSError as error:
        log(f"cannot listen on {args.host}:{args.port}: {error}")
        return 1
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, args=(0.1,), name="mlops-serve", daemon=True).start()
    host = f"[{args.host}]" if ":" in args.host else args.host
    protocol.write(json.dumps({"event": "listening", "url": f"http://{host}:{server.server_address[1]}"}) + "\n")
    protocol.flush()
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
