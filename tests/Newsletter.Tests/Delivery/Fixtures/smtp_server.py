"""A small SMTP server for the delivery tests, on aiosmtpd.

A sender whose local part starts with "blocked" is refused at MAIL FROM (553).
Recipients choose how they are treated, by the start of their local part:
  reject...        550 at RCPT (a permanent failure)
  tempfail-N-...   451 at RCPT the first N times for that address, then accepted
  drop...          the connection is dropped during DATA, before the reply, the first time; then accepted
  slow-N-...       the reply to DATA comes N seconds after the message (then accepted, and logged when it is sent)
  mute...          MAIL FROM is never answered (a server that hangs on a command)
  anything else    accepted
With --stall-after K, after K accepted messages every further DATA is left unanswered (a send in flight when the
sending process is killed). With --no-smtputf8 the server does not offer SMTPUTF8 (RFC 6531), with --no-8bitmime
not 8BITMIME (RFC 6152): a 7-bit path. Every accepted message is appended to --log as one JSON line; with
--save-dir its bytes as received (after dot-unstuffing) go to <dir>/<n>.eml.
"""
import argparse
import asyncio
import json
import signal

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, log_path, stall_after, save_dir=None, eight_bit=True):
        self.log_path = log_path
        self.stall_after = stall_after
        self.save_dir = save_dir
        self.eight_bit = eight_bit
        self.accepted = 0
        self.tempfails = {}
        self.dropped = set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if not self.eight_bit:
            responses = [r for r in responses if "8BITMIME" not in r.upper()]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address.split("@")[0].lower().startswith("blocked"):
            return "553 5.7.1 <%s>: Sender address rejected: not owned by user" % address
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("mute"):
            await asyncio.sleep(3600)
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" % address
        if local.startswith("tempfail-"):
            limit = int(local.split("-")[1])
            count = self.tempfails.get(address, 0)
            if count < limit:
                self.tempfails[address] = count + 1
                return "451 4.7.1 <%s>: Recipient address rejected: Greylisted, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        key = tuple(envelope.rcpt_tos)
        if any(a.split("@")[0].lower().startswith("drop") for a in envelope.rcpt_tos) and key not in self.dropped:
            self.dropped.add(key)
            server.transport.abort()
            return "421 4.4.2 connection dropped"
        if self.stall_after is not None and self.accepted >= self.stall_after:
            await asyncio.sleep(3600)
        slow = [a for a in envelope.rcpt_tos if a.split("@")[0].lower().startswith("slow-")]
        if slow:
            await asyncio.sleep(int(slow[0].split("@")[0].split("-")[1]))
        self.accepted += 1
        message_id = None
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.lower().startswith("message-id:"):
                message_id = line.split(":", 1)[1].strip()
                break
            if line == "":
                break
        if self.save_dir is not None:
            with open("%s/%d.eml" % (self.save_dir, self.accepted), "wb") as saved:
                saved.write(envelope.original_content)
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"to": envelope.rcpt_tos, "message_id": message_id, "from": envelope.mail_from}) + "\n")
        return "250 2.0.0 Ok: queued as %d" % self.accepted


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--stall-after", type=int, default=None)
    parser.add_argument("--no-smtputf8", action="store_true")
    parser.add_argument("--no-8bitmime", action="store_true")
    parser.add_argument("--save-dir", default=None)
    args = parser.parse_args()
    controller = Controller(Handler(args.log, args.stall_after, args.save_dir, not args.no_8bitmime), hostname="127.0.0.1", port=args.port,
                            enable_SMTPUTF8=not args.no_smtputf8)
    controller.start()
    print("ready", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    controller.stop()


if __name__ == "__main__":
    main()
