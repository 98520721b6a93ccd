#!/usr/bin/python3
"""latency-sink.py LOG: an SMTP sink on 127.0.0.1 (kernel-chosen port,
printed as PORT=n) that appends one line per mail to LOG, written and
flushed before the 250 that accepts the mail:

    TIME RCPT[,RCPT...] IN-REPLY-TO MESSAGE-ID

TIME is time.time() when the end of DATA was received; the ids are those of
the mail's header fields without the angle brackets ("-" when absent).
Nothing else is kept.  SIGTERM or SIGINT stops it.  Needs aiosmtpd
(python3-aiosmtpd); run with /usr/bin/python3."""
import asyncio
import logging
import signal
import sys
import time
from email.parser import BytesHeaderParser

from aiosmtpd.smtp import SMTP

logging.getLogger("mail.log").setLevel(logging.ERROR)
out = open(sys.argv[1], "a", buffering=1)
parser = BytesHeaderParser()


def ident(value):
    value = " ".join(str(value or "").split())
    return value.strip().strip("<>") or "-"


class Handler:
    async def handle_DATA(self, server, session, env):
        now = time.time()
        head = parser.parsebytes(env.original_content)
        out.write("%.6f %s %s %s\n" % (now, ",".join(env.rcpt_tos) or "-",
                                       ident(head.get("In-Reply-To")),
                                       ident(head.get("Message-ID"))))
        return "250 OK"


async def main():
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: SMTP(Handler()), "127.0.0.1", 0)
    print(f"PORT={srv.sockets[0].getsockname()[1]}", flush=True)
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set_result, None)
    await stop

asyncio.run(main())
