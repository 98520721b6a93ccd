#!/usr/bin/python3
# story.py: the mails of README's story, written and read for t-056.
#   story.py write KIND OUT [ARGS...]   a mail of the story into OUT
#   story.py check SINKDIR N WHAT...    assertions on the N-th mail the
#                                       sink received, one line per WHAT
# Attachments are compared byte for byte by SHA-256.
import email, email.policy, hashlib, json, random, sys
from email.message import EmailMessage

AGENT_AR = "mx.desk.example; dkim=pass header.d=desk.example"

def blob(seed, n):
    # Binary bytes with NULs, CRs and high bytes: what a screenshot is.
    r = random.Random(seed)
    return bytes(r.randrange(256) for _ in range(n))

FILES = {
    "png": ("capture d'écran été.png", "image", "png", blob(1, 48000)),
    "pdf": ("procédure.pdf", "application", "pdf", blob(2, 30000)),
    "har": ("erreur paiement.har", "application", "octet-stream",
            blob(3, 20000)),
}

def mail(frm, to, subject, mid, text, reply_to=None, cc=None, files=(),
         ar=None):
    m = EmailMessage()
    m["From"] = frm
    m["To"] = to
    if cc:
        m["Cc"] = cc
    m["Subject"] = subject
    m["Message-ID"] = "<%s>" % mid
    m["Date"] = "Mon, 23 Nov 2026 10:00:00 +0100"
    if ar:
        m["Authentication-Results"] = ar
    if reply_to:
        m["In-Reply-To"] = "<%s>" % reply_to
        m["References"] = "<%s>" % reply_to
    m.set_content(text)
    for f in files:
        name, main, sub, data = FILES[f]
        m.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return m

def write(kind, out, args):
    # args: the Message-ID to answer, where there is one
    parent = args[0] if args else None
    subj = "Re: [Helpdesk #1] Impossible de payer la cantine"
    if kind == "citizen":
        m = mail("Jeanne Martin <jeanne.martin@example.org>",
                 "support@desk.example",
                 "Impossible de payer la cantine", "c1@example.org",
                 "Bonjour,\n\nle paiement de la cantine échoue, voici une "
                 "capture.\n\nJeanne Martin\n", files=["png"])
    elif kind == "agent-answer":
        m = mail("Marc Agent <marc@desk.example>", "support@desk.example",
                 subj, "a1@desk.example",
                 "Bonjour Madame,\n\nvoici la procédure en pièce jointe.\n\n"
                 "Marc\n\n> Bonjour,\n> le paiement échoue\n",
                 reply_to=parent, cc="agents@desk.example", files=["pdf"],
                 ar=AGENT_AR)
    elif kind == "agent-resolve":
        m = mail("Marc Agent <marc@desk.example>", "support@desk.example",
                 subj, "a2@desk.example",
                 "#resolve\n\n-- \nMarc Agent\nMairie\n",
                 reply_to=parent, ar=AGENT_AR)
    elif kind == "citizen-again":
        m = mail("Jeanne Martin <jeanne.martin@example.org>",
                 "support@desk.example", subj, "c2@example.org",
                 "Toujours impossible, même avec la procédure.\n",
                 reply_to=parent)
    elif kind == "agent-escalate":
        m = mail("Marc Agent <marc@desk.example>", "support@desk.example",
                 subj, "a3@desk.example",
                 "#escalate Erreur 500 au paiement, voir la capture\n\n"
                 "-- \nMarc Agent\n",
                 reply_to=parent, files=["har"], ar=AGENT_AR)
    elif kind == "upstream":
        m = mail("Support <support@upstream.example>", "support@desk.example",
                 "[Upstream #999] " + subj, "u1@upstream.example",
                 "Bonjour,\n\nle module de paiement est corrigé.\n",
                 reply_to=parent)
    elif kind == "citizen-thanks":
        m = mail("Jeanne Martin <jeanne.martin@example.org>",
                 "support@desk.example", subj, "c3@example.org",
                 "Merci, cela fonctionne.\n", reply_to=parent)
    else:
        sys.exit("unknown kind " + kind)
    open(out, "wb").write(m.as_bytes(policy=email.policy.SMTP))

def attachments(m):
    out = []
    for p in m.walk():
        if p.is_multipart() or p.get_content_disposition() != "attachment":
            continue
        data = p.get_payload(decode=True)
        if data is None:	# message/rfc822
            data = p.get_payload()[0].as_bytes()
        out.append((p.get_filename() or "", p.get_content_type(), data))
    return out

def check(sink, n, whats):
    m = email.message_from_binary_file(open("%s/%s.eml" % (sink, n), "rb"),
                                       policy=email.policy.default)
    env = json.load(open("%s/%s.json" % (sink, n)))
    body = m.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    atts = attachments(m)
    for w in whats:
        if w == "rcpts":
            print(" ".join(sorted(env["rcpt_tos"])))
        elif w == "text":
            sys.stdout.write(text)
        elif w == "attachments":
            # name type sha256-prefix, or "<kind> same as FILE"
            for name, typ, data in atts:
                same = [k for k, f in FILES.items() if f[3] == data]
                print(name, typ, same[0] if same else "other")
        elif w == "rfc822":
            # the Message-IDs of attached mails
            for p in m.walk():
                if p.get_content_type() == "message/rfc822":
                    print(p.get_payload()[0]["Message-ID"])
        elif w.startswith("h:"):
            v = m.get(w[2:])
            print(" ".join(str(v).split()) if v is not None else "")
        else:
            sys.exit("unknown check " + w)

if sys.argv[1] == "write":
    write(sys.argv[2], sys.argv[3], sys.argv[4:])
else:
    check(sys.argv[2], sys.argv[3], sys.argv[4:])
