"""The DuckDB side of the flow-log benchmark (BENCHMARKS.md): the GROUP BY
that flowlog.AggregateFiles computes, over the same files.

usage: duckdb_aggregate.py count|csv FILE...
  count  prints the number of tuples (the benchmark: the whole aggregation runs)
  csv    prints every tuple as flowlog.Tuple.CSV does, unsorted, no header
"""
import csv
import sys

import duckdb

QUERY = """
SELECT "interface-id", srcaddr, dstaddr, dstport, protocol, action,
       count(*), sum(packets), sum(bytes), bit_or("tcp-flags"), min(start), max("end")
FROM read_csv($files, delim = ' ', header = true, nullstr = '-',
              types = {'dstport': 'INTEGER', 'protocol': 'INTEGER', 'packets': 'BIGINT',
                       'bytes': 'BIGINT', 'tcp-flags': 'INTEGER', 'start': 'BIGINT', 'end': 'BIGINT'})
WHERE "log-status" = 'OK'
GROUP BY ALL
"""


def main():
    mode, files = sys.argv[1], sys.argv[2:]
    con = duckdb.connect()
    if mode == "count":
        print(con.execute(f"SELECT count(*) FROM ({QUERY})", {"files": files}).fetchone()[0])
        return
    w = csv.writer(sys.stdout, lineterminator="\n")
    for row in con.execute(QUERY, {"files": files}).fetchall():
        w.writerow("" if v is None else v for v in row)


main()
