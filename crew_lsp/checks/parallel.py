"""Checking one workspace folder on several cores (`crew-lsp check`; docs/architecture.md, Parallel check).

After the scan the files are cut into chunks, whose numbers wait in a pipe; this process and the
forked workers (one per extra core) each take the next chunk as soon as they are done with the last,
so a process that starts late or runs slower (a freshly forked worker copies the pages it writes)
takes fewer. Each process reads and parses only its share, plus every config file (the fold needs
them, and there are few). Parsed files are too slow to ship between processes, so each process
sends the others a *summary* of its share (`resources/summary.py`) and builds the whole snapshot
from its own files and stubs of the others'. Each process then checks its own share; the workers
send their diagnostics back as plain tuples. For the language server's cold start every process also
builds the facts rows of its share once the summaries are traded (the workers send theirs), and they
are handed on before any file is checked (`check_folder(facts=…)`). `checks/processes.py` forks and
carries the messages.

A worker that fails or dies at any point is not a partial result: this process reads, parses and
checks that worker's share itself, exactly as the serial path would.
"""

from __future__ import annotations

import gc
import marshal
import os
import sys

from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.checks.jobs import MAX_JOBS
from crew_lsp.checks.processes import (Entry, WorkerGone, can_fork, claim, deal, decode_found, detach_standard_streams,
                                       encode_found, end, reap_exited, receive, send)
from crew_lsp.checks.run import check_resource
from crew_lsp.resources.discovery import Workspace, scan
from crew_lsp.resources.facts import Row, to_row
from crew_lsp.resources.index import Snapshot, derive, paused_gc, read_entries
from crew_lsp.resources.loader import Loader, Problem
from crew_lsp.resources.model import COMPACTABLE, Resource
from crew_lsp.resources.summary import StubResource, StubSource, summarize

TYPE_CHECKING = False  # (not `typing.TYPE_CHECKING`: `crew-lsp check` does not import typing)
if TYPE_CHECKING:
    from typing import Callable

    Facts = Callable[[list[Row | None]], None]  # receives every scanned file's facts row by number (None: no row)

MIN_FILES = 1_000  # below this a fork costs more than it saves


class Checked:
    """A folder's snapshot and the diagnostics of its reported files, by path; how the work was shared."""

    __slots__ = ("snapshot", "found", "workers", "recovered")

    def __init__(self, snapshot: Snapshot, found: dict[str, list[Diagnostic]], workers: int, recovered: int):
        self.snapshot = snapshot
        self.found = found
        self.workers = workers  # forked workers
        self.recovered = recovered  # workers whose share this process had to check itself


def check_folder(ws: Workspace, jobs: int | Callable[[int], int] = 1, min_files: int = MIN_FILES,
                 listing: tuple[Loader, list[Entry]] | None = None, facts: Facts | None = None) -> Checked:
    """Index a workspace folder and check its reported files, on up to ``jobs`` processes (or as many
    as ``jobs(number of files)`` says once they are listed). ``listing``: the folder's loader and
    scan, when the caller already has them. ``facts`` is called with every file's facts row
    (`resources/facts.py`) once all are parsed, before any is checked: for the language server, which
    indexes the folder from them while the files are checked."""
    if listing is None:
        loader = Loader(ws.boundaries())
        listing = loader, scan(ws, loader)
    loader, entries = listing
    if callable(jobs):
        jobs = jobs(len(entries))
    workers = min(jobs, MAX_JOBS) - 1 if len(entries) >= min_files and can_fork() else 0
    if workers < 1:
        with paused_gc():
            resources, problems, _stamps = read_entries(ws, entries, loader)
            if facts is not None:
                facts(_by_number(len(entries), [_rows(resources, problems, entries, range(len(entries)))]))
            snap = derive(Snapshot(ws, resources, problems=problems))
            return Checked(snap, _check(snap, list(resources)), 0, 0)
    return _Run(ws, loader, entries, workers, facts).run()


def _rows(resources: dict[str, Resource], problems: dict[str, Problem], entries: list[Entry], numbers) -> list[tuple[int, Row]]:
    """(number, facts row) of the numbered files a server's index keeps compacted, read as text (a file
    not read is read again by the server, which must know why)."""
    out = []
    for number in numbers:
        kind, _scope, path = entries[number]
        res = resources.get(path)
        if res is not None and kind in COMPACTABLE and path not in problems:
            out.append((number, to_row(res.file_name, res.name, res.facts)))
    return out


def _by_number(count: int, parts: list[list[tuple[int, Row]]]) -> list[Row | None]:
    rows: list[Row | None] = [None] * count
    for part in parts:
        for number, row in part:
            rows[number] = row
    return rows


CHUNK_FILES = 32  # files per chunk: the imbalance left is at most about one chunk's work
MAX_CHUNKS = 1_024  # (their numbers, 4 bytes each, are written before anyone reads: 4 KiB fit any pipe's buffer)


def _chunks(entries: list[Entry]) -> tuple[list[int], list[list[int]]]:
    """The numbers (places in ``entries``) of every config file (each process parses them all), and
    those of the other files cut into chunks in scan order."""
    configs: list[int] = []
    others: list[int] = []
    for number, entry in enumerate(entries):
        (configs if entry[0] == "config" else others).append(number)
    size = max(CHUNK_FILES, -(-len(others) // MAX_CHUNKS))
    return configs, [others[k:k + size] for k in range(0, len(others), size)]


def _check(snap: Snapshot, paths: list[str]) -> dict[str, list[Diagnostic]]:
    reported = snap.workspace.reported_filter()
    resources = snap.resources
    with paused_gc():
        return {p: check_resource(resources[p], snap) for p in paths if reported(p)}


class _Parsed:
    """What one process read of a share (with the config files or not): the resources, and the files
    not read."""

    __slots__ = ("numbers", "with_configs", "resources", "problems")

    def __init__(self, numbers: list[int], with_configs: bool, resources: dict[str, Resource], problems: dict[str, Problem]):
        self.numbers = numbers
        self.with_configs = with_configs
        self.resources = resources
        self.problems = problems

    def summaries(self, entries: list[Entry]) -> bytes:
        """The share's summaries, and why some of its files were not read (by number)."""
        resources, problems = self.resources, self.problems
        out = []
        unread = {}
        for number in self.numbers:
            path = entries[number][2]
            res = resources.get(path)
            if res is not None:
                out.append(summarize(number, res))
                problem = problems.get(path) if problems else None
                if problem is not None:
                    unread[number] = (problem.reason, problem.message)
        return marshal.dumps((out, unread))


class _Run:
    """One parallel check: share 0 is this process's, share k ≥ 1 worker k's."""

    def __init__(self, ws: Workspace, loader: Loader, entries: list[Entry], workers: int, facts: Facts | None):
        self.ws = ws
        self.facts = facts
        self.loader = loader
        self.entries = entries
        self.configs, self.chunks = _chunks(entries)
        self.workers = workers
        # share → the numbers of its files (its chunks'), once known here: this process's own as it
        # takes them, a worker's from its message
        self.shares: dict[int, list[int]] = {}
        self.taken: dict[int, list[int]] = {}  # share → the chunks it took
        self.chunk_pipe = -1  # the pipe of chunk numbers (reading end)
        # the share whose process checks the config files: the last worker's (checking a config file
        # imports pydantic, a tenth of a second better spent beside this process's own share)
        self.config_share = workers
        self.pids: dict[int, int] = {}  # share → worker pid
        self.pipes: dict[int, tuple[int, int]] = {}  # share → (read from the worker, write to it)

    def _parse(self, share: int, with_configs: bool = False) -> _Parsed:
        """A share's files, read and parsed here (with every config file: the fold needs them)."""
        entries = self.entries
        numbers = self.shares[share]
        mine = [entries[n] for n in (numbers + self.configs if with_configs else numbers)]
        resources, problems, _stamps = read_entries(self.ws, mine, self.loader)
        return _Parsed(numbers, with_configs, resources, problems)

    def _take_and_parse(self, share: int) -> _Parsed:
        """Every config file, then chunk after chunk until none is left: read and parsed here as this
        process's share."""
        entries, ws, loader, chunks = self.entries, self.ws, self.loader, self.chunks
        resources, problems, _stamps = read_entries(ws, [entries[n] for n in self.configs], loader)
        numbers: list[int] = []
        taken = self.taken[share] = []
        while (chunk := claim(self.chunk_pipe)) is not None:
            taken.append(chunk)
            part, unread, _stamps = read_entries(ws, [entries[n] for n in chunks[chunk]], loader)
            resources.update(part)
            problems.update(unread)
            numbers += chunks[chunk]
        self._stop_dealing()
        self.shares[share] = numbers
        return _Parsed(numbers, True, resources, problems)

    def _stop_dealing(self) -> None:
        if self.chunk_pipe >= 0:
            os.close(self.chunk_pipe)
            self.chunk_pipe = -1

    def _untaken(self) -> list[int]:
        """The numbers of the files of every chunk no share reported taking (those of workers gone)."""
        taken = {chunk for chunks in self.taken.values() for chunk in chunks}
        return [n for k, chunk in enumerate(self.chunks) if k not in taken for n in chunk]

    def _to_check(self, share: int, snap: Snapshot) -> list[tuple[int, str]]:
        """The files of a share to check, with their numbers: its own, and the config files for `config_share`."""
        entries = self.entries
        numbers = self.shares[share] + self.configs if share == self.config_share else self.shares[share]
        resources = snap.resources
        return [(n, entries[n][2]) for n in numbers if entries[n][2] in resources]  # (a file gone since the scan was not read)

    def _snapshot(self, parsed: dict[int, _Parsed], blobs: list[bytes]) -> Snapshot:
        """Every file in scan order (as the serial path builds it): parsed ones, and stubs of the others."""
        source = StubSource(self.ws, self.loader)
        entries = self.entries
        found: list[Resource | None] = [None] * len(entries)  # by number
        problems: dict[str, Problem] = {}
        for part in parsed.values():
            resource = part.resources.get
            for n in part.numbers + self.configs if part.with_configs else part.numbers:
                found[n] = resource(entries[n][2])
            problems.update(part.problems)
        for blob in blobs:
            summaries, unread = marshal.loads(blob)
            for summary in summaries:
                n = summary[0]
                found[n] = StubResource(summary, entries[n], source)
            for n, (reason, message) in unread.items():
                problems[entries[n][2]] = Problem(reason, message)
        resources = {entry[2]: res for entry, res in zip(entries, found) if res is not None}
        return derive(Snapshot(self.ws, resources, problems=problems))

    def run(self) -> Checked:
        reap_exited()
        sys.stdout.flush()  # (a worker leaves through os._exit, but nothing buffered may be written twice)
        sys.stderr.flush()
        try:
            self.chunk_pipe = deal(len(self.chunks))
            for share in range(1, self.workers + 1):
                self._fork(share)
            return self._lead()
        finally:
            self._stop_dealing()
            self._reap()

    def _fork(self, share: int) -> None:
        from_worker, worker_out = os.pipe()
        worker_in, to_worker = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            status = 1
            try:
                for theirs, ours in self.pipes.values():  # the earlier workers' pipes are not this worker's
                    os.close(theirs)
                    os.close(ours)
                os.close(from_worker)
                os.close(to_worker)
                detach_standard_streams()
                built = self._work(share, worker_in, worker_out)  # noqa: F841 (alive until os._exit: see _work)
                status = 0
            finally:
                os._exit(status)
        os.close(worker_out)
        os.close(worker_in)
        self.pids[share] = pid
        self.pipes[share] = (from_worker, to_worker)

    def _work(self, share: int, down: int, up: int) -> Snapshot:
        """A worker's whole job. It returns the snapshot it built, for the caller to hold until the
        process ends: freeing it object by object would keep a core busy for nothing (a tenth of a
        second at 50,000 files) while this process's parent still works."""
        gc.disable()  # this process ends with os._exit: nothing it builds needs collecting
        mine = self._take_and_parse(share)
        send(up, marshal.dumps(self.taken[share]))
        send(up, mine.summaries(self.entries))
        blobs = marshal.loads(receive(down))
        if self.facts is not None:  # (after the summaries are traded: no process waits for the rows to build its snapshot)
            send(up, marshal.dumps(self._rows(mine)))
        snap = self._snapshot({share: mine}, blobs)
        checked = self._to_check(share, snap)
        send(up, encode_found(_check(snap, [p for _n, p in checked]), checked))
        return snap

    def _rows(self, part: _Parsed) -> list[tuple[int, Row]]:
        """The facts rows of a share's files (not the config files, which a server keeps whole)."""
        return _rows(part.resources, part.problems, self.entries, part.numbers)

    def _lead(self) -> Checked:
        with paused_gc():  # (until the last diagnostic is in: a collection would walk every parsed file)
            parsed, blobs = self._exchange()
            if self.facts is not None:
                self.facts(_by_number(len(self.entries), self._gather_rows(parsed)))
            snap = self._snapshot(parsed, [blob for k, blob in blobs.items() if k not in parsed])
            found = _check(snap, [p for share in parsed for _n, p in self._to_check(share, snap)])
            recovered = len(parsed) - 1
            late = []
            for share in list(self.pids):
                try:
                    found.update(decode_found(receive(self.pipes[share][0]), self.entries))
                except (WorkerGone, ValueError, EOFError, TypeError, IndexError, KeyError):
                    self._give_up(share)
                    late.append(share)
                else:
                    self._give_up(share, finished=True)
            if late:  # check those shares here, against a snapshot holding their files as parsed here
                for share in late:
                    parsed[share] = self._parse(share)
                snap = self._snapshot(parsed, [blob for k, blob in blobs.items() if k not in parsed])
                for share in late:
                    found.update(_check(snap, [p for _n, p in self._to_check(share, snap)]))
                recovered += len(late)
        return Checked(snap, found, self.workers, recovered)

    def _exchange(self) -> tuple[dict[int, _Parsed], dict[int, bytes]]:
        """Parse this process's share, and trade summaries with the workers: what this process parsed
        (its share, and that of any worker gone before the trade), and every share's summaries."""
        entries = self.entries
        parsed = {0: self._take_and_parse(0)}
        blobs = {0: parsed[0].summaries(entries)}
        gone = []
        for share in list(self.pids):
            try:
                taken = self.taken[share] = marshal.loads(receive(self.pipes[share][0]))
                self.shares[share] = [n for chunk in taken for n in self.chunks[chunk]]
                blobs[share] = receive(self.pipes[share][0])
            except (WorkerGone, ValueError, EOFError, TypeError, IndexError):
                self._give_up(share)
                self.taken.pop(share, None)
                blobs.pop(share, None)
                gone.append(share)
        for k, share in enumerate(gone):  # what they took (all of it to the first: none reported it)
            self.shares[share] = self._untaken() if k == 0 else []
            self.taken[share] = []
            parsed[share] = self._parse(share)
            blobs[share] = parsed[share].summaries(entries)
        for share in list(self.pids):
            try:
                send(self.pipes[share][1], marshal.dumps([blob for k, blob in blobs.items() if k != share]))
            except OSError:  # (a worker gone since: its pipe is broken)
                self._give_up(share)
                parsed[share] = self._parse(share)
        return parsed, blobs

    def _gather_rows(self, parsed: dict[int, _Parsed]) -> list[list[tuple[int, Row]]]:
        """Every share's facts rows: those of the shares parsed here, then each worker's (a worker's
        are built while these are; one gone before sending them has its share parsed here, and checked
        here too)."""
        rows = [self._rows(part) for part in parsed.values()]
        for share in list(self.pids):
            try:
                rows.append(marshal.loads(receive(self.pipes[share][0])))
            except (WorkerGone, ValueError, EOFError, TypeError, IndexError):
                self._give_up(share)
                parsed[share] = self._parse(share)
                rows.append(self._rows(parsed[share]))
        return rows

    def _give_up(self, share: int, finished: bool = False) -> None:
        """Stop waiting for a worker (unless it has ``finished``, its share is this process's now)."""
        pid = self.pids.pop(share)
        for fd in self.pipes.pop(share):
            os.close(fd)
        end(pid, finished)

    def _reap(self) -> None:
        for share in list(self.pids):
            self._give_up(share)
