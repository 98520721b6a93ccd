#!/usr/bin/env python3
"""gen-corpus.py: write a realistic service-desk corpus as a maildir.

    gen-corpus.py --count N --mix light|heavy --seed S [--first-ticket T] OUTDIR

Writes N messages into OUTDIR/new (OUTDIR/cur and OUTDIR/tmp are created
empty), named %010d.bench so that names sort in arrival order.  The same
arguments always give the same bytes (python3 standard library only).

The corpus looks like the mail a service desk receives:
  * 70 % new requests to support@desk.example from many requesters (a new
    address for about half of the requests, the others from earlier
    requesters, at most 3 requests each so that no sender reaches the
    autoreply limit), at varied domains;
  * 30 % replies by a requester on one of its earlier tickets (recent ones
    more often): subject "RE: [Helpdesk #K] subject" where K is the ordinal of
    the new request among new requests (the desk numbers tickets in arrival
    order), In-Reply-To and References naming the previous message of the
    thread, and a body that quotes it ("Le ... a écrit :" / "On ... wrote:"
    and ">" lines);
  * a quarter of the requesters write in French: RFC 2047 encoded UTF-8
    subjects and display names (B or Q), quoted-printable UTF-8 bodies; the
    others write in English (7bit);
  * bodies of 300 B to 3 KB of new text;
  * 20 % of the messages (exactly) carry one base64 attachment (pdf, png or
    docx; random bytes) of 2-30 KB (light mix) or 50-500 KB (heavy mix), in
    multipart/mixed;
  * two Received fields, Date, Message-ID, MIME-Version, User-Agent or
    X-Mailer; CRLF line ends.

--first-ticket T numbers the requests of this corpus from T on (default 1):
the desk to which it is fed already has T - 1 tickets, so that a large desk
is built chunk after chunk (bench/scale.sh) and every reply still carries
the tag of its own ticket.

A summary (counts and the number of acknowledgements the desk should queue)
is printed on stdout as key=value lines.
"""

import argparse
import base64
import datetime
import os
import quopri
import random
import sys

DESK = "support@desk.example"
DESK_NAME = "Helpdesk"

# ---------------------------------------------------------------- people

FIRST_EN = """James Mary Robert Patricia John Jennifer Michael Linda David
Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles
Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra
Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth
Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald
Rebecca Edward Sharon Jason Laura Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary
Angela Nicholas Shirley Eric Anna Jonathan Brenda Stephen Pamela Larry Emma
Justin Nicole Scott Helen Brandon Samantha Benjamin Katherine Samuel Christine
Gregory Debra Alexander Rachel Frank Carolyn Patrick Janet Raymond Catherine
Jack Maria Dennis Heather Jerry Diane Tyler Ruth Aaron Julie Priya Wei Ahmed
Olumide Sven Ingrid Kenji Aiko Rahul Fatima Carlos Lucia""".split()

LAST_EN = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez
Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson
Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson
Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans
Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy
Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard
Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross
Foster Jimenez Okafor Lindqvist Tanaka Sato Sharma Haddad Kowalski Novak""".split()

FIRST_FR = """Jean Marie Pierre Nathalie Michel Isabelle André Sylvie Philippe
Catherine René Françoise Jacques Valérie Bernard Sandrine Alain Véronique
François Stéphanie Daniel Christine Christophe Céline Patrick Aurélie Nicolas
Hélène Frédéric Émilie Olivier Élodie Laurent Camille Sébastien Chloé Julien
Léa Stéphane Manon Jérôme Inès Thierry Zoé Éric Agnès Gérard Mélanie Hervé
Noémie Benoît Margaux Rémi Anaïs Loïc Maëlle Cédric Gaëlle Jérémy Clémence
Thibault Océane Grégoire Solène Maxime Bérénice Raphaël Joëlle Mathéo Léonie
Yannick Josiane Gaëtan Brigitte Aurélien Mireille""".split()

LAST_FR = """Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy
Moreau Simon Laurent Lefèbvre Michel Garcia David Bertrand Roux Vincent Fournier
Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet François Martinez
Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin
Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson
Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy
Noël Meyer Lucas Meunier Jean Pérez Marchand Dufour Blanchard Barbier Brun
Dumas Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron
Aubert Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe
Lecomte Lacroix Béranger Desprès Hébert Lefrançois Crépin Thérond""".split()

DOMAINS_EN = """gmail.com outlook.com yahoo.com hotmail.com icloud.com proton.me
acme-corp.com globex.com initech.com umbrella-group.com hooli.com vandelay.com
stark-industries.com wayne-enterprises.com cyberdyne.io soylent.co tyrell.com
wonka.co.uk example-university.edu massive-dynamic.com oscorp.net aperture.org
northwind.example contoso.com fabrikam.com tailspintoys.com adventure-works.com
litware.com proseware.com wingtiptoys.com fourthcoffee.com lucernepub.com
margiestravel.com blueyonder-air.com cohowinery.com alpineski.com""".split()

DOMAINS_FR = """orange.fr wanadoo.fr free.fr laposte.net sfr.fr gmail.com
outlook.fr yahoo.fr mairie-exemple.fr univ-exemple.fr chu-exemple.fr
cabinet-dupont.fr boulangerie-martin.fr transports-legrand.fr agence-roux.fr
groupe-moreau.fr lycee-exemple.fr cnrs-exemple.fr ville-exemple.fr
assurances-exemple.fr notaires-exemple.fr pharmacie-exemple.fr
bureau-etudes.fr societe-generale-exemple.fr banque-exemple.fr
architectes-exemple.fr cooperative-exemple.fr""".split()

USER_AGENTS = [
    ("User-Agent", "Mozilla Thunderbird 115.{r}.0"),
    ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) "
                   "Gecko/20100101 Thunderbird/128.{r}.0"),
    ("X-Mailer", "Microsoft Outlook 16.0"),
    ("X-Mailer", "Microsoft Outlook 16.0.1{r}"),
    ("X-Mailer", "Apple Mail (2.37{r})"),
    ("User-Agent", "Roundcube Webmail/1.6.{r}"),
    ("User-Agent", "K-9 Mail for Android"),
    ("User-Agent", "Mutt/2.2.{r} (2023-02-09)"),
    ("X-Mailer", "iPhone Mail (21E2{r})"),
    ("User-Agent", "Evolution 3.50.{r}"),
]

# ---------------------------------------------------------------- text

TOPICS_EN = [
    ("printer", ["Printer on the {n}th floor does not print",
                 "Cannot print to the {n}th floor printer",
                 "Printer jammed again", "Printing in colour fails"]),
    ("vpn", ["VPN disconnects every few minutes", "Cannot connect to the VPN",
             "VPN client asks for a certificate", "Slow VPN from home"]),
    ("password", ["Password expired", "Locked out of my account",
                  "Cannot reset my password", "Two-factor code not received"]),
    ("email", ["Mailbox full", "Emails stuck in the outbox",
               "Shared mailbox not visible", "Calendar invitations not arriving"]),
    ("laptop", ["Laptop very slow since the update", "Laptop does not boot",
                "Battery drains in an hour", "Screen flickers on my laptop"]),
    ("access", ["Access to the finance share", "Need access to the CRM",
                "Permission denied on the project folder",
                "New starter needs an account"]),
    ("software", ["Request to install {app}", "{app} crashes on start",
                  "{app} licence expired", "Update of {app} failed"]),
    ("network", ["No Wi-Fi in meeting room {n}", "Network very slow today",
                 "Ethernet port in office {n} dead", "Cannot reach the intranet"]),
    ("phone", ["Desk phone has no dial tone", "Voicemail PIN reset",
               "Mobile phone not syncing mail", "Headset not recognised"]),
    ("invoice", ["Invoice {num} not received", "Question about invoice {num}",
                 "Wrong amount on invoice {num}", "Duplicate invoice {num}"]),
]

TOPICS_FR = [
    ("imprimante", ["L'imprimante du {n}e étage n'imprime plus",
                    "Impossible d'imprimer en couleur",
                    "Bourrage papier à répétition", "Imprimante hors ligne"]),
    ("vpn", ["Le VPN se déconnecte sans arrêt", "Connexion VPN impossible",
             "Le client VPN réclame un certificat",
             "VPN très lent depuis mon domicile"]),
    ("mot de passe", ["Mot de passe expiré", "Compte verrouillé",
                      "Réinitialisation du mot de passe impossible",
                      "Code de double authentification non reçu"]),
    ("messagerie", ["Boîte aux lettres pleine", "Courriels bloqués dans la boîte d'envoi",
                    "Boîte partagée invisible", "Invitations d'agenda non reçues"]),
    ("ordinateur", ["Ordinateur très lent depuis la mise à jour",
                    "Le portable ne démarre plus", "Batterie vide en une heure",
                    "L'écran de mon portable scintille"]),
    ("accès", ["Accès au partage de la comptabilité", "Demande d'accès au CRM",
               "Accès refusé au dossier du projet",
               "Création de compte pour un nouvel arrivant"]),
    ("logiciel", ["Demande d'installation de {app}", "{app} plante au démarrage",
                  "Licence {app} expirée", "Échec de la mise à jour de {app}"]),
    ("réseau", ["Pas de Wi-Fi en salle de réunion {n}", "Réseau très lent aujourd'hui",
                "Prise réseau du bureau {n} hors service",
                "Intranet inaccessible"]),
    ("téléphone", ["Pas de tonalité sur mon poste", "Code de messagerie vocale à réinitialiser",
                   "Le mobile ne synchronise plus les courriels",
                   "Casque non reconnu"]),
    ("facture", ["Facture n° {num} non reçue", "Question sur la facture n° {num}",
                 "Montant erroné sur la facture n° {num}", "Facture n° {num} en double"]),
]

APPS = ["Excel", "Teams", "Zoom", "Acrobat Reader", "AutoCAD", "SAP GUI",
        "Visual Studio Code", "Firefox", "LibreOffice", "Slack", "Sage",
        "QGIS", "Photoshop", "OneDrive", "Citrix Workspace"]

SENT_EN = """Since this morning {it} does not work as expected.
I already tried to restart the computer but the problem is still there.
The error message says "{err}".
This is blocking my work on the {proj} project, which is due on {day}.
Could you please have a look as soon as possible?
My colleagues in the same office seem to have the same problem.
It worked fine last week, before the maintenance of the weekend.
I am working from home today, so you can reach me on my mobile.
The asset tag on my machine is {tag}.
I attached a screenshot of the message in case it helps.
I do not know whether this is related, but the network was very slow yesterday.
We have a customer meeting on {day} and I really need this fixed before then.
I followed the procedure on the intranet but it stops at the third step.
The problem happens only with {app}; other applications are fine.
Please tell me if you need more information or remote access to my computer.
My manager, {who}, approved the request by phone.
I have been waiting since {day} and nobody has contacted me yet.
Is there a workaround I could use in the meantime?
Everything else on the machine works normally.
It seems to happen mostly in the afternoon, when many people are connected.
I tried another browser and got exactly the same result.
The same thing happened a few months ago and the fix then was to reinstall {app}.
Our team of {n} people depends on this, so the impact is quite large.
I am available all day tomorrow except between noon and two.
Sorry to insist, but this is becoming urgent for us.""".splitlines()

SENT_FR = """Depuis ce matin, {it} ne fonctionne plus correctement.
J'ai déjà redémarré l'ordinateur mais le problème persiste.
Le message d'erreur indique « {err} ».
Cela bloque mon travail sur le projet {proj}, à rendre pour {day}.
Pourriez-vous regarder cela dès que possible ?
Mes collègues du même bureau semblent avoir le même souci.
Tout fonctionnait très bien la semaine dernière, avant la maintenance du week-end.
Je suis en télétravail aujourd'hui, vous pouvez me joindre sur mon portable.
Le numéro d'inventaire de ma machine est {tag}.
Je joins une capture d'écran du message au cas où cela aiderait.
Je ne sais pas si c'est lié, mais le réseau était très lent hier.
Nous avons une réunion client {day} et j'ai vraiment besoin que ce soit réglé avant.
J'ai suivi la procédure de l'intranet, mais elle s'arrête à la troisième étape.
Le problème ne se produit qu'avec {app} ; les autres applications fonctionnent.
N'hésitez pas à me demander des précisions ou une prise en main à distance.
Mon responsable, {who}, a donné son accord par téléphone.
J'attends depuis {day} et personne ne m'a encore recontacté.
Existe-t-il une solution de contournement en attendant ?
Tout le reste fonctionne normalement sur le poste.
Cela se produit surtout l'après-midi, quand beaucoup de monde est connecté.
J'ai essayé avec un autre navigateur et j'obtiens exactement la même chose.
La même chose s'était produite il y a quelques mois ; il avait fallu réinstaller {app}.
Notre équipe de {n} personnes en dépend, l'impact est donc important.
Je suis disponible toute la journée de demain, sauf entre midi et deux.
Désolé d'insister, mais cela devient urgent pour nous.
Je reste à votre disposition pour tout complément d'information.""".splitlines()

REPLY_EN = """Thank you for your quick answer.
I tried what you suggested but it still does not work.
It works now, thank you very much!
Here is the additional information you asked for.
The problem came back this morning.
Any news on this ticket?
I restarted as you said and the error is different now.
You can close the ticket, the problem is solved.""".splitlines()

REPLY_FR = """Merci pour votre réponse rapide.
J'ai essayé ce que vous m'avez conseillé, mais cela ne fonctionne toujours pas.
Cela fonctionne maintenant, merci beaucoup !
Voici les informations complémentaires que vous m'avez demandées.
Le problème est réapparu ce matin.
Avez-vous du nouveau concernant ce ticket ?
J'ai redémarré comme indiqué et l'erreur a changé.
Vous pouvez clore le ticket, le problème est résolu.""".splitlines()

ERRS = ["Access denied", "The operation timed out", "Error 0x80070005",
        "Connection refused", "Unknown user name or bad password",
        "The server is not responding", "Licence not found",
        "Disk quota exceeded", "Certificate has expired", "Erreur 503"]
PROJ = ["Phoenix", "Atlas", "Orion", "Hermes", "Galileo", "Neptune", "Zephyr",
        "Kestrel", "Mistral", "Aurora", "Sirius", "Vega"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
           "the 15th", "the end of the month", "next week"]
DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "le 15",
           "la fin du mois", "la semaine prochaine"]
IT_EN = ["my computer", "the shared drive", "the printer", "Outlook", "the VPN",
         "my account", "the application", "the badge reader", "the scanner"]
IT_FR = ["mon ordinateur", "le lecteur réseau", "l'imprimante", "Outlook",
         "le VPN", "mon compte", "l'application", "le lecteur de badge",
         "le scanner"]
GREET_EN = ["Hello,", "Hi,", "Dear support,", "Good morning,", "Hello team,",
            "Hi there,"]
GREET_FR = ["Bonjour,", "Bonjour à tous,", "Madame, Monsieur,", "Bonsoir,",
            "Bonjour l'équipe,"]
CLOSE_EN = ["Thanks,", "Best regards,", "Kind regards,", "Thank you,",
            "Cheers,", "Regards,"]
CLOSE_FR = ["Cordialement,", "Merci d'avance,", "Bien cordialement,",
            "Bonne journée,", "Merci,", "Sincères salutations,"]
TITLES_EN = ["Accounting", "Sales", "Human Resources", "Logistics", "Marketing",
             "Research", "Legal", "Facilities", "Customer Service"]
TITLES_FR = ["Service comptabilité", "Direction commerciale",
             "Ressources humaines", "Logistique", "Communication",
             "Recherche et développement", "Service juridique",
             "Services généraux", "Relation clientèle"]

WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
             "Oct", "Nov", "Dec"]
WEEKDAYS_FR = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
MONTHS_FR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
             "sept.", "oct.", "nov.", "déc."]

ATT_TYPES = [
    ("pdf", "application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    ("png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     b"PK\x03\x04\x14\x00\x06\x00\x08\x00"),
]
ATT_NAMES_EN = ["screenshot", "error", "invoice", "report", "scan",
                "quote", "form", "log", "photo", "contract"]
ATT_NAMES_FR = ["capture d'écran", "erreur", "facture", "rapport", "numérisation",
                "devis", "formulaire", "journal", "photo", "contrat signé"]

# ---------------------------------------------------------------- encoding

def rfc2047(text, rnd):
    """Encodes TEXT (str) as RFC 2047 UTF-8 encoded words, B or Q, folded
    with CRLF SP; each word at most 75 characters, never splitting a
    character."""
    mode = "B" if rnd.random() < 0.5 else "Q"
    words = []
    cur = b""
    limit = 45 if mode == "B" else 22  # raw bytes per word: fits in 75
    for ch in text:
        b = ch.encode("utf-8")
        if cur and len(cur) + len(b) > limit:
            words.append(cur)
            cur = b""
        cur += b
    if cur:
        words.append(cur)
    out = []
    for w in words:
        if mode == "B":
            enc = base64.b64encode(w).decode("ascii")
        else:
            enc = "".join(
                "_" if c == 0x20 else
                chr(c) if (0x30 <= c <= 0x39 or 0x41 <= c <= 0x5a
                           or 0x61 <= c <= 0x7a or c in b"!*+-/")
                else "=%02X" % c for c in w)
        out.append("=?UTF-8?%s?%s?=" % (mode, enc))
    return "\r\n ".join(out)


def fold(name, value):
    """A header line, folded at spaces before 78 columns (for ASCII)."""
    line = name + ": "
    out = []
    for word in value.split(" "):
        if len(line) + len(word) + 1 > 78 and line.strip() and not line.endswith(": "):
            out.append(line.rstrip(" "))
            line = " "
        line += word + " "
    out.append(line.rstrip(" "))
    return "\r\n".join(out)


def qp_crlf(text):
    """Quoted-printable UTF-8 of TEXT with CRLF line ends."""
    raw = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    return raw.replace("\n", "\r\n")


def fmt_date(dt):
    return dt.strftime("%a, %d %b %Y %H:%M:%S %z")


def attribution(dt, name, addr, fr):
    if fr:
        return "Le %s %d %s %d à %02d:%02d, %s <%s> a écrit :" % (
            WEEKDAYS_FR[dt.weekday()], dt.day, MONTHS_FR[dt.month - 1],
            dt.year, dt.hour, dt.minute, name, addr)
    return "On %s, %s %d, %d at %d:%02d %s, %s <%s> wrote:" % (
        WEEKDAYS_EN[dt.weekday()], MONTHS_EN[dt.month - 1], dt.day, dt.year,
        (dt.hour + 11) % 12 + 1, dt.minute, "AM" if dt.hour < 12 else "PM",
        name, addr)

# ---------------------------------------------------------------- attachments

class Pool:
    """Pre-encoded base64 lines of a block of random bytes: an attachment is
    a run of these lines taken at a random offset, so that hundreds of MB of
    base64 cost a slice, not an encoding."""

    LINE_RAW = 57  # 57 bytes -> 76 characters

    def __init__(self, rnd, size):
        nlines = size // self.LINE_RAW
        raw = rnd.randbytes(nlines * self.LINE_RAW)
        enc = base64.b64encode(raw)
        self.nlines = nlines
        # 76 characters + CRLF per line
        self.text = b"".join(enc[i * 76:(i + 1) * 76] + b"\r\n"
                             for i in range(nlines))

    def attachment(self, rnd, magic, size):
        head = magic + rnd.randbytes(self.LINE_RAW - len(magic))
        rest = size - self.LINE_RAW
        full, tail = divmod(rest, self.LINE_RAW)
        start = rnd.randrange(0, self.nlines - full)
        parts = [base64.b64encode(head) + b"\r\n",
                 self.text[start * 78:(start + full) * 78]]
        if tail:
            parts.append(base64.b64encode(rnd.randbytes(tail)) + b"\r\n")
        return b"".join(parts)

# ---------------------------------------------------------------- generator

class Requester:
    __slots__ = ("name", "addr", "fr", "host", "ip", "ua", "tickets")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--mix", choices=("light", "heavy"), required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first-ticket", type=int, default=1,
                    help="number of the first ticket this corpus creates")
    ap.add_argument("outdir")
    a = ap.parse_args()
    if a.count < 1:
        ap.error("--count must be at least 1")
    if a.first_ticket < 1:
        ap.error("--first-ticket must be at least 1")

    rnd = random.Random("%d/%s" % (a.seed, a.mix))
    lo, hi = (2 * 1024, 30 * 1024) if a.mix == "light" else (50 * 1024, 500 * 1024)
    pool = Pool(rnd, max(4 * hi, 1 << 20))

    n = a.count
    n_reply = round(n * 0.30)
    n_att = round(n * 0.20)
    # exact proportions, random positions; the first message is a request
    kinds = [True] * n_reply + [False] * (n - n_reply)
    rnd.shuffle(kinds)
    if kinds[0]:
        j = kinds.index(False)
        kinds[0], kinds[j] = kinds[j], kinds[0]
    atts = [True] * n_att + [False] * (n - n_att)
    rnd.shuffle(atts)

    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(a.outdir, sub), exist_ok=True)
    newdir = os.path.join(a.outdir, "new")

    requesters = []
    reusable = []        # requesters with fewer than 3 requests
    used_addrs = set()
    tickets = []         # [requester, subject, lang, thread ids, last body, last date]
    tz = datetime.timezone(datetime.timedelta(hours=1))
    now = datetime.datetime(2026, 3, 2, 8, 0, 0, tzinfo=tz)
    stats = dict(requests=0, replies=0, french=0, attachments=0, bytes=0)

    def new_requester():
        # a quarter of the messages in French: steer the language of new
        # requesters towards it (a requester keeps its language)
        deficit = 0.25 * (stats["requests"] + stats["replies"]) - stats["french"]
        fr = rnd.random() < min(1.0, max(0.0, 0.25 + deficit / 20.0))
        while True:
            first = rnd.choice(FIRST_FR if fr else FIRST_EN)
            last = rnd.choice(LAST_FR if fr else LAST_EN)
            dom = rnd.choice(DOMAINS_FR if fr else DOMAINS_EN)
            local = rnd.choice(["{f}.{l}", "{f}{l}", "{i}{l}", "{f}_{l}",
                                "{f}.{l}{d}", "{l}.{f}"]).format(
                f=first, l=last, i=first[0], d=rnd.randrange(1, 99))
            local = ascii_local(local)
            addr = "%s@%s" % (local, dom)
            if addr not in used_addrs:
                break
        used_addrs.add(addr)
        r = Requester()
        r.name, r.addr, r.fr = "%s %s" % (first, last), addr, fr
        r.host = "mail%d.%s" % (rnd.randrange(1, 5), dom)
        r.ip = "198.51.%d.%d" % (rnd.randrange(0, 256), rnd.randrange(1, 255))
        h, v = rnd.choice(USER_AGENTS)
        r.ua = (h, v.format(r=rnd.randrange(0, 10)))
        r.tickets = 0
        requesters.append(r)
        reusable.append(r)
        return r

    def fill(s, fr):
        return s.format(
            n=rnd.randrange(1, 9) if "{n}e" in s or "{n}th" in s else rnd.randrange(2, 40),
            num=rnd.randrange(10000, 999999),
            app=rnd.choice(APPS), it=rnd.choice(IT_FR if fr else IT_EN),
            err=rnd.choice(ERRS), proj=rnd.choice(PROJ),
            day=rnd.choice(DAYS_FR if fr else DAYS_EN),
            tag="PC-%05d" % rnd.randrange(100000),
            who="%s %s" % (rnd.choice(FIRST_FR if fr else FIRST_EN),
                           rnd.choice(LAST_FR if fr else LAST_EN)))

    def body_text(r, opening, target):
        fr = r.fr
        lines = [rnd.choice(GREET_FR if fr else GREET_EN), ""]
        if opening:
            lines.append(opening)
        sents = list(SENT_FR if fr else SENT_EN)
        rnd.shuffle(sents)     # no sentence twice before all were used
        para = []
        size = sum(len(x) + 1 for x in lines)
        j = 0
        while size < target:
            s = fill(sents[j % len(sents)], fr)
            j += 1
            para.append(s)
            size += len(s.encode("utf-8")) + 1
            if len(para) >= rnd.randrange(2, 6):
                lines.append(" ".join(para))
                lines.append("")
                para = []
        if para:
            lines.append(" ".join(para))
            lines.append("")
        lines += [rnd.choice(CLOSE_FR if fr else CLOSE_EN), "",
                  r.name, rnd.choice(TITLES_FR if fr else TITLES_EN),
                  "Tél. : +33 1 %02d %02d %02d %02d" % tuple(rnd.randrange(100) for _ in range(4))
                  if fr else "Phone: +1 555 %04d" % rnd.randrange(10000)]
        return wrap_lines(lines)

    for i in range(n):
        now += datetime.timedelta(seconds=rnd.randrange(5, 300))
        is_reply = kinds[i]
        if is_reply:
            # recent tickets more often
            k = len(tickets) - 1 - min(int(rnd.expovariate(1 / 150.0)), len(tickets) - 1)
            t = tickets[k]
            r = t[0]
            subj_text = "RE: [%s #%d] %s" % (DESK_NAME, k + a.first_ticket,
                                             t[1])
            target = rnd.randrange(300, 1500)
            opening = rnd.choice(REPLY_FR if r.fr else REPLY_EN)
            new = body_text(r, opening, target)
            quoted = t[4]
            if len(quoted) > 6000:
                quoted = quoted[:6000].rsplit("\n", 1)[0]
            text = (new + "\n" + attribution(t[5], r.name, r.addr, r.fr) + "\n"
                    + "\n".join((">" + l) if l.startswith(">") else
                                ("> " + l if l else ">")
                                for l in quoted.split("\n")) + "\n")
            parent = t[3][-1]
            refs = list(t[3][-10:])
            stats["replies"] += 1
        else:
            if reusable and rnd.random() < 0.5:
                r = rnd.choice(reusable)
            else:
                r = new_requester()
            r.tickets += 1
            if r.tickets >= 3:
                reusable.remove(r)
            topic = rnd.choice(TOPICS_FR if r.fr else TOPICS_EN)
            subj = fill(rnd.choice(topic[1]), r.fr)
            subj_text = subj
            target = rnd.randrange(300, 3000)
            text = body_text(r, None, target)
            parent, refs = None, []
            stats["requests"] += 1

        mid = "<%s.%x@%s>" % (now.strftime("%Y%m%d%H%M%S"),
                              rnd.getrandbits(64), r.host)
        if is_reply:
            t[3].append(mid)
            t[4], t[5] = text, now
        else:
            tickets.append([r, subj, r.fr, [mid], text, now])

        if r.fr:
            stats["french"] += 1
            subj_h = "Subject: " + rfc2047(subj_text, rnd)
            from_h = "From: %s <%s>" % (rfc2047(r.name, rnd)
                                        if any(ord(c) > 127 for c in r.name)
                                        else '"%s"' % r.name, r.addr)
            body = qp_crlf(text).encode("ascii")
            ctype = "text/plain; charset=UTF-8"
            cte = "quoted-printable"
        else:
            subj_h = fold("Subject", subj_text)
            from_h = 'From: "%s" <%s>' % (r.name, r.addr)
            body = text.replace("\n", "\r\n").encode("ascii", "replace")
            ctype = "text/plain; charset=us-ascii; format=flowed"
            cte = "7bit"

        d1 = now + datetime.timedelta(seconds=rnd.randrange(0, 3))
        d0 = now - datetime.timedelta(seconds=rnd.randrange(1, 20))
        qid = "%X" % rnd.getrandbits(40)
        h = [
            "Return-Path: <%s>" % r.addr,
            "Delivered-To: %s" % DESK,
            "Received: from %s (%s [%s])\r\n\tby mx.desk.example (Postfix) "
            "with ESMTPS id %s\r\n\tfor <%s>; %s" % (
                r.host, r.host, r.ip, qid, DESK, fmt_date(d1)),
            # RFC 5737 documentation addresses: never a real host.
            "Received: from [198.51.100.%d] (unknown [192.0.2.1])\r\n\tby %s "
            "(Postfix) with ESMTPSA id %X;\r\n\t%s" % (
                rnd.randrange(1, 255),
                r.host, rnd.getrandbits(40), fmt_date(d0)),
            "Message-ID: %s" % mid,
            "Date: %s" % fmt_date(d0),
            "MIME-Version: 1.0",
            "%s: %s" % r.ua,
            from_h,
            "To: %s" % (DESK if rnd.random() < 0.7 else
                        '"Support" <%s>' % DESK),
            subj_h,
        ]
        if is_reply:
            h.append("In-Reply-To: %s" % parent)
            h.append(fold("References", " ".join(refs)))
        h.append("Content-Language: %s" % ("fr-FR" if r.fr else "en-US"))

        if atts[i]:
            stats["attachments"] += 1
            ext, mime, magic = rnd.choice(ATT_TYPES)
            base = rnd.choice(ATT_NAMES_FR if r.fr else ATT_NAMES_EN)
            fname = "%s %d.%s" % (base, rnd.randrange(1, 100), ext)
            if all(ord(c) < 128 for c in fname):
                disp = 'attachment; filename="%s"' % fname
                ctn = 'name="%s"' % fname
            else:
                pct = "".join(c if c.isascii() and (c.isalnum() or c in ".-_")
                              else "".join("%%%02X" % b for b in c.encode("utf-8"))
                              for c in fname)
                disp = "attachment;\r\n filename*=UTF-8''%s" % pct
                ctn = "name=\"%s\"" % rfc2047(fname, rnd).replace("\r\n ", "")
            size = rnd.randrange(lo, hi + 1)
            boundary = "------------%024X" % rnd.getrandbits(96)
            h.append('Content-Type: multipart/mixed;\r\n boundary="%s"' % boundary)
            head = ("\r\n".join(h) + "\r\n\r\nThis is a multi-part message in "
                    "MIME format.\r\n--%s\r\nContent-Type: %s\r\n"
                    "Content-Transfer-Encoding: %s\r\n\r\n" % (boundary, ctype, cte))
            mid_part = ("\r\n--%s\r\nContent-Type: %s;\r\n %s\r\n"
                        "Content-Disposition: %s\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n" % (
                            boundary, mime, ctn, disp))
            data = b"".join([head.encode("ascii"), body, mid_part.encode("ascii"),
                             pool.attachment(rnd, magic, size),
                             ("\r\n--%s--\r\n" % boundary).encode("ascii")])
        else:
            h.append("Content-Type: %s" % ctype)
            h.append("Content-Transfer-Encoding: %s" % cte)
            data = ("\r\n".join(h) + "\r\n\r\n").encode("ascii") + body

        stats["bytes"] += len(data)
        with open(os.path.join(newdir, "%010d.bench" % (i + 1)), "wb") as f:
            f.write(data)

    print("messages=%d" % n)
    print("requests=%d" % stats["requests"])
    print("replies=%d" % stats["replies"])
    print("french=%d" % stats["french"])
    print("attachments=%d" % stats["attachments"])
    print("requesters=%d" % len(requesters))
    print("bytes=%d" % stats["bytes"])
    print("expected_acks=%d" % stats["requests"])


def ascii_local(s):
    import unicodedata
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if c.isascii()).lower()
    return "".join(c for c in s if c.isalnum() or c in "._-")


def wrap_lines(lines, width=72):
    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        cur = ""
        for w in line.split(" "):
            if cur and len(cur) + 1 + len(w) > width:
                out.append(cur)
                cur = w
            else:
                cur = (cur + " " + w) if cur else w
        out.append(cur)
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
