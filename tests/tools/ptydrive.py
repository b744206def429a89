#!/usr/bin/env python3
"""Drive a program on a pseudo-terminal from a script, for the CLI tests.

    ptydrive.py [--cols N] SCRIPT CMD [ARG...]

SCRIPT holds one step a line (blank lines and lines starting with # are
skipped):
    expect TEXT   wait until TEXT appears in the output after the point the
                  last expect matched (20 s at most: then exit 98, naming it)
    send TEXT     type TEXT and Enter (send alone: an empty line)
    type TEXT     type TEXT without Enter
    sleep SECONDS wait, reading what comes meanwhile
    intr          type Ctrl-C
    eof           type Ctrl-D
    signal NAME.. send the program these signals in order (STOP INT CONT)
The whole transcript goes to stdout; the exit status is the program's
(for a program killed by a signal, 256 minus its number), or 99 when it
has not exited 20 s after the last step (it is then killed).
--cols sets the terminal's width (rows 40); without it the pty reports 0x0.
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time

def main():
    args = sys.argv[1:]
    cols = 0
    if args[:1] == ["--cols"]:
        cols = int(args[1])
        args = args[2:]
    steps = [l.rstrip("\n") for l in open(args[0], encoding="utf-8")]
    pid, fd = pty.fork()
    if pid == 0:
        # Set in the child, on its side of the pty, before the program runs.
        if cols:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
        os.execvp(args[1], args[1:])
    out, pos = b"", 0

    def read_some(limit):
        nonlocal out
        try:
            r, _, _ = select.select([fd], [], [], limit)
            if r:
                out += os.read(fd, 65536)
                return True
        except OSError:
            pass
        return False

    for step in steps:
        if not step.strip() or step.startswith("#"):
            continue
        word, _, text = step.partition(" ")
        if word == "expect":
            tok, end = text.encode(), time.time() + 20
            while out.find(tok, pos) < 0 and time.time() < end:
                if not read_some(0.2) and os.waitpid(pid, os.WNOHANG) != (0, 0):
                    break
            i = out.find(tok, pos)
            if i < 0:
                sys.stdout.write(out.decode("utf-8", "replace"))
                sys.stderr.write("ptydrive.py: never saw %r\n" % text)
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
                sys.exit(98)
            pos = i + len(tok)
        elif word == "send":
            os.write(fd, text.encode() + b"\r")
        elif word == "type":
            os.write(fd, text.encode())
        elif word == "sleep":
            end = time.time() + float(text)
            while time.time() < end:
                read_some(max(0.0, min(0.2, end - time.time())))
        elif word == "signal":
            for name in text.split():
                os.kill(pid, getattr(signal, "SIG" + name))
        elif word == "intr":
            os.write(fd, b"\x03")
        elif word == "eof":
            os.write(fd, b"\x04")
        else:
            sys.exit("ptydrive.py: unknown step %r" % step)
    # Read to the end; a program still running 20 s on is killed (exit 99).
    end, st = time.time() + 20, None
    while st is None and time.time() < end:
        if not read_some(0.2):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                st = status
    while read_some(0.05):
        pass
    sys.stdout.write(out.decode("utf-8", "replace"))
    if st is None:
        sys.stderr.write("ptydrive.py: the program did not exit\n")
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.exit(99)
    sys.exit(os.waitstatus_to_exitcode(st))

main()
