#!/usr/bin/python3
"""imap-sniff.py PORT LOG: appends "TIME SPORT DPORT LEN" to LOG for each
TCP segment carrying data from 127.0.0.1:PORT (the IMAP server) on the
loopback interface, TIME being the kernel's receive stamp (SO_TIMESTAMPNS,
CLOCK_REALTIME).  Writes "TIME READY" first.  Needs root (AF_PACKET).

bench/latency.sh uses it for the moment Dovecot sends the untagged EXISTS
to maildeskd: the daemon logs nothing when its IDLE wakes, and the bytes
are TLS records, but an idling connection gets no other data (the IDLE
keepalive is pushed out of the run), so the first segment from the server
after a delivery is that EXISTS.  SIGTERM stops it."""
import signal
import socket
import struct
import sys
import time

port, path = int(sys.argv[1]), sys.argv[2]
out = open(path, "a", buffering=1)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
ETH_P_IP = 0x0800
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
s.bind(("lo", ETH_P_IP))
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
out.write("%.6f READY\n" % time.time())
while True:
    data, anc, _flags, addr = s.recvmsg(65600, socket.CMSG_SPACE(16))
    # on lo each packet is seen going out and coming in: keep one
    if addr[2] == PACKET_OUTGOING:
        continue
    t = None
    for level, kind, value in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", value[:16])
            t = sec + nsec / 1e9
    if t is None:
        t = time.time()
    # lo frames carry a 14-byte Ethernet header
    ip = data[14:]
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        continue
    ihl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:]
    if len(tcp) < 20:
        continue
    sport, dport = struct.unpack("!HH", tcp[:4])
    length = total - ihl - (tcp[12] >> 4) * 4
    if sport == port and length > 0:
        out.write("%.6f %d %d %d\n" % (t, sport, dport, length))
