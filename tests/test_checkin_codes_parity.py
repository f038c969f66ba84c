"""The door device reads a typed code exactly as the server does: static/js/checkin-codes.js run in
Node.js beside events_app/tickets/codes.py on the same inputs (canonical form and offline hash)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from events_app.tickets import codes, services
from tests.support import require_executable

SCRIPT = Path(__file__).resolve().parent.parent / "events_app/static/js/checkin-codes.js"


def js_codes(inputs: list[str]) -> list[dict]:
    node = require_executable("node", "nodejs")
    program = (f"const window = globalThis;\n{SCRIPT.read_text()}\n"
               "const inputs = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
               "Promise.all(inputs.map(async t => ({canonical: TicketCodes.canonical(t), hash: await TicketCodes.codeHash(t)})))"
               ".then(r => process.stdout.write(JSON.stringify(r)));")
    done = subprocess.run([node, "-e", program], input=json.dumps(inputs), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_device_and_the_server_read_typed_codes_alike(db_backend, make_event, make_registration):
    code = services.ticket_code(make_registration(make_event()))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    inputs = [code, codes.ticket_url(code), code.lower(), f" {code[:8]}-{code[8:20]} {code[20:]} ", full_width,
              "ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｊｐ／ｔ／" + full_width, code.replace("O", "0").replace("I", "1")]
    for text, device in zip(inputs, js_codes(inputs)):
        assert device == {"canonical": codes.canonical(text), "hash": codes.code_hash(text)}, text
    assert {d["canonical"] for d in js_codes(inputs)} == {code}
