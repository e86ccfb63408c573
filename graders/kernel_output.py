"""What the grader accepts and keeps of the messages a student's kernel sends.

The kernel is untrusted and holds the session key, so it can send any signed message: huge,
nested 100,000 deep, missing the fields nbclient reads. `GuardedSession` checks every message
as it is decoded (size, depth walked without recursion, the fields of its type) and replaces a bad
one with a short note, so nothing in nbclient or nbformat ever sees it. `CappedClient` then keeps
at most `max_output_bytes` of text (streams, errors and their tracebacks, HTML, text/plain...),
a separate, larger budget of images, and, in the grader's own call cells, one bounded probe reply
per call; the probe's MIME type in the student's cells is dropped.
"""

import json

from jupyter_client.session import Session
from nbclient import NotebookClient

from graders.codec import depth_of

PROBE_MIME = "application/vnd.dlgrade.probe+json"
TRUNCATION_NOTE = "[further output discarded by the grader]"  # written by kernel_probe.py
MAX_MESSAGE_BYTES = 16 * 2**20  # a message is decoded whole: this bounds its cost
MAX_DEPTH = 64
TEXT_FIELDS = {"stream": ("name", "text"), "error": ("ename", "evalue"),
               "execute_input": ("code",), "status": ("execution_state",)}
DATA_TYPES = ("display_data", "execute_result", "update_display_data")


class BadMessage(ValueError):
    """A message from the kernel that the grader will not pass on."""


def check_message(msg: dict) -> None:
    """Raise BadMessage unless `msg` has the shape nbclient relies on for its type."""
    for key in ("header", "parent_header", "metadata", "content"):
        if not isinstance(msg.get(key), dict) or depth_of(msg[key], MAX_DEPTH) > MAX_DEPTH:
            raise BadMessage(f"its {key} is not a mapping of at most {MAX_DEPTH} levels")
    kind, content = msg.get("msg_type"), msg["content"]
    if not isinstance(kind, str) or not isinstance(msg.get("msg_id"), str):
        raise BadMessage("it has no message type or id")
    parent_id = msg["parent_header"].get("msg_id")
    if parent_id is not None and not isinstance(parent_id, str):
        raise BadMessage("its parent id is not a string")
    if any(not isinstance(content.get(k), str) for k in TEXT_FIELDS.get(kind, ())):
        raise BadMessage(f"{kind} message without its text fields")
    if kind == "error" and not (isinstance(content.get("traceback"), list) and all(
            isinstance(line, str) for line in content["traceback"])):
        raise BadMessage("an error message without a list of traceback lines")
    if kind in DATA_TYPES:
        if not isinstance(content.get("data"), dict) or not isinstance(
                content.get("metadata"), dict):
            raise BadMessage(f"{kind} message without data and metadata")
        count = content.get("execution_count")
        if kind == "execute_result" and (isinstance(count, bool) or not isinstance(
                count, int | None) or "execution_count" not in content):
            raise BadMessage("an execute result without an execution count")
        transient = content.get("transient")
        if transient and not (isinstance(transient, dict) and isinstance(
                transient.get("display_id", ""), str)):
            raise BadMessage("a display id that is not a string")
    if kind == "execute_reply" and not isinstance(content.get("status"), str):
        raise BadMessage("an execute reply without a status")


class GuardedSession(Session):
    """A jupyter Session whose `deserialize` never raises on, nor passes on, a bad message."""

    def deserialize(self, msg_list, content=True, copy=True):
        try:
            size = sum(len(part) for part in msg_list)
            if size > MAX_MESSAGE_BYTES:
                raise BadMessage(f"it is {size / 2**20:.0f} MB")
            msg = super().deserialize(msg_list, content, copy)
            if content:
                check_message(msg)
            return msg
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError,
                MemoryError) as err:
            return self._note(msg_list, f"[a message from the kernel was discarded: {err}]"[:300])

    def _note(self, msg_list, text: str) -> dict:
        """A stand-in for a bad message: a failed reply if it was a reply (so that nbclient
        stops waiting), else a stderr stream carrying `text`, sent to the bad message's cell."""
        header, parent = self._small_json(msg_list, 1), self._small_json(msg_list, 2)
        kind = header.get("msg_type") if isinstance(header.get("msg_type"), str) else ""
        parent = {"msg_id": parent["msg_id"]} if isinstance(parent.get("msg_id"), str) else {}
        if kind.endswith("_reply") or kind == "error":  # the cell still counts as failed
            content = {"status": "error", "ename": "DiscardedByGrader", "evalue": text,
                       "traceback": []}
        else:
            kind, content = "stream", {"name": "stderr", "text": text + "\n"}
        header = self.msg_header(kind)
        return {"header": header, "msg_id": header["msg_id"], "msg_type": kind,
                "parent_header": parent, "metadata": {}, "buffers": [], "content": content}

    @staticmethod
    def _small_json(msg_list, index: int) -> dict:
        """Part `index` of a message as a dict if it is small, flat JSON; else {}."""
        try:
            part = bytes(msg_list[index])
            value = json.loads(part) if len(part) < 65536 and part.count(b"{") < 8 else {}
            return value if isinstance(value, dict) else {}
        except (IndexError, TypeError, ValueError, RecursionError):
            return {}


class CappedClient(NotebookClient):
    """An nbclient that keeps bounded output: text, images and probe replies each capped.

    The grader's call cells run at the last index of the notebook (KernelSession appends that
    scratch cell); there a probe reply of up to `max_reply_bytes` is kept per call.
    """

    max_output_bytes = 4 * 2**20  # text, all cells together
    max_display_bytes = 64 * 2**20  # images, all cells together
    max_reply_bytes = 16 * 2**20  # probe replies, per call
    store_widget_state = False
    record_timing = False  # timing reads fields a forged header may lack

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_bytes = 0  # text
        self.kept_images = 0
        self.truncated = False  # text was discarded, here or by the kernel's own cap
        self._call = (None, 0)  # (the current call's message id, reply bytes kept for it)
        self.km.session = GuardedSession(parent=self.km)  # before the kernel's key is written

    def handle_comm_msg(self, outs, msg, cell_index):
        """Widgets' comm traffic is neither needed for grading nor kept."""

    def _update_display_id(self, display_id, msg):
        """Display updates would replace kept outputs past the caps; the grader ignores them."""

    def output(self, outs, msg, display_id, cell_index):
        content = msg["content"]
        if msg["msg_type"] == "stream":
            self.truncated = self.truncated or TRUNCATION_NOTE in content["text"]
            content["text"] = self._take_text(content["text"])
            if not content["text"]:
                return None
        elif msg["msg_type"] == "error":
            self._cap_error(content)
        elif msg["msg_type"] in DATA_TYPES:
            call = cell_index == len(self.nb.cells) - 1
            content["data"] = self._cap_data(content["data"], msg["parent_header"].get("msg_id"),
                                              call)
            if not content["data"]:
                return None
        return super().output(outs, msg, display_id, cell_index)

    def _take_text(self, text: str) -> str:
        """The part of `text` that fits in the text budget."""
        room = self.max_output_bytes - self.kept_bytes
        if len(text) > room:
            self.truncated = True
            text = text[:max(room, 0)]
        self.kept_bytes += len(text)
        return text

    def _cap_error(self, content: dict) -> None:
        """An error keeps its name and the start of its message; its traceback only if it fits."""
        content["ename"] = content["ename"][:200]
        content["evalue"] = content["evalue"][:2000]
        if sum(map(len, content["traceback"])) > self.max_output_bytes - self.kept_bytes:
            self.truncated = True
            content["traceback"] = []
        self.kept_bytes += sum(map(len, [content["ename"], content["evalue"],
                                         *content["traceback"]]))

    def _cap_data(self, data: dict, parent: str | None, call: bool) -> dict:
        kept = {}
        for mime, value in data.items():
            size = len(value) if isinstance(value, str) else len(json.dumps(value))
            if mime == PROBE_MIME:
                if not call:
                    continue  # only the grader's call cells carry replies
                if self._call[0] != parent:
                    self._call = (parent, 0)
                if self._call[1] + size > self.max_reply_bytes:
                    continue
                self._call = (parent, self._call[1] + size)
            elif mime.startswith("image/"):
                if self.kept_images + size > self.max_display_bytes:
                    continue
                self.kept_images += size
            elif self.kept_bytes + size > self.max_output_bytes:
                self.truncated = True
                continue
            else:
                self.kept_bytes += size
            kept[mime] = value
        return kept
