"""The DuckDB side of the flow-log benchmark (BENCHMARKS.md): the GROUP BY
that flowlog.AggregateFiles computes, over the same files.

usage: duckdb_aggregate.py count|csv FILE...
  count  prints the number of tuples (the benchmark: the whole aggregation runs)
  csv    prints every tuple as flowlog.Tuple.CSV does, unsorted, no header

The key is the six fields the issue names, plus flow-direction, pkt-srcaddr
and pkt-dstaddr when the files' headers carry them (flowlog.Tuple says why);
a column the files lack is NULL, as flowlog leaves it empty.
"""
import csv
import gzip
import sys

import duckdb

MIDDLEBOX = ["flow-direction", "pkt-srcaddr", "pkt-dstaddr"]


def header(path):
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    with (gzip.open if gzipped else open)(path, "rt") as f:
        return f.readline().split()


def query(files):
    headers = [header(f) for f in files]
    present = set().union(*headers)
    middlebox = ", ".join(f'"{c}"' if c in present else f'NULL AS "{c}"' for c in MIDDLEBOX)
    # Files of several formats are read by column name.
    union = ", union_by_name = true" if any(h != headers[0] for h in headers) else ""
    return f"""
SELECT "interface-id", srcaddr, dstaddr, dstport, protocol, action, {middlebox},
       count(*), sum(packets), sum(bytes), bit_or("tcp-flags"), min(start), max("end")
FROM read_csv($files, delim = ' ', header = true, nullstr = '-'{union},
              types = {{'dstport': 'INTEGER', 'protocol': 'INTEGER', 'packets': 'BIGINT',
                       'bytes': 'BIGINT', 'tcp-flags': 'INTEGER', 'start': 'BIGINT', 'end': 'BIGINT'}})
WHERE "log-status" = 'OK'
GROUP BY ALL
"""


def main():
    mode, files = sys.argv[1], sys.argv[2:]
    con = duckdb.connect()
    q = query(files)
    if mode == "count":
        print(con.execute(f"SELECT count(*) FROM ({q})", {"files": files}).fetchone()[0])
        return
    w = csv.writer(sys.stdout, lineterminator="\n")
    for row in con.execute(q, {"files": files}).fetchall():
        w.writerow("" if v is None else v for v in row)


if __name__ == "__main__":
    main()
