#!/usr/bin/python3
# mailpart.py FILE WHAT: one thing of a mail, for the shell tests.
# WHAT is a header name (decoded, unfolded), "text" (the decoded text/plain
# part), "html" (the decoded text/html part), or "types" (the content types
# of every part, space-separated).  Prints nothing for what is absent.
import email, email.policy, sys

m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
what = sys.argv[2]
if what == "types":
    print(" ".join(p.get_content_type() for p in m.walk()))
elif what in ("text", "html"):
    part = m.get_body(preferencelist=("plain",) if what == "text" else ("html",))
    if part is not None and part.get_content_type() == "text/" + ("plain" if what == "text" else "html"):
        sys.stdout.write(part.get_content())
else:
    v = m.get(what)
    if v is not None:
        print(" ".join(str(v).split()))
