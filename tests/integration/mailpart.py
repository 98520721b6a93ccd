#!/usr/bin/python3
# mailpart.py FILE WHAT: one thing of a mail, for the shell tests.
# WHAT is a header name (decoded, unfolded), "text" (the decoded text/plain
# part), "html" (the decoded text/html part), "types" (the content types
# of every part, space-separated), "attachments" (one line per attached
# part: the SHA-256 of its decoded bytes, its content type, its file
# name), "save N FILE" (the decoded bytes of the Nth attachment, 1 for
# the first).  Prints nothing for what is absent.
import email, email.policy, hashlib, sys

m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
what = sys.argv[2]
def attachments(m):
    return [p for p in m.walk() if not p.is_multipart() and p is not m
            and (p.get_content_disposition() == "attachment" or p.get_filename())]

if what == "attachments":
    for p in attachments(m):
        data = p.get_payload(decode=True) or b""
        print(hashlib.sha256(data).hexdigest(), p.get_content_type(), p.get_filename() or "")
elif what == "save":
    p = attachments(m)[int(sys.argv[3]) - 1]
    open(sys.argv[4], "wb").write(p.get_payload(decode=True) or b"")
elif what == "types":
    print(" ".join(p.get_content_type() for p in m.walk()))
elif what in ("text", "html"):
    part = m.get_body(preferencelist=("plain",) if what == "text" else ("html",))
    if part is not None and part.get_content_type() == "text/" + ("plain" if what == "text" else "html"):
        sys.stdout.write(part.get_content())
else:
    v = m.get(what)
    if v is not None:
        print(" ".join(str(v).split()))
