"""Runs `servicemesh flows --athena-sql`'s query as Athena would, in DuckDB,
and writes the result as Athena writes a query result (TestAthenaSQLMatchesStreaming).

usage: duckdb_athena.py SQL_FILE FILE...   (the CSV goes to stdout)

The files (all with one header, the Athena User Guide's table's columns in
its order) become a table vpc_flow_logs with the guide's column names and
types, read as the table's LazySimpleSerDe reads them: a string column keeps
"-", an int column that cannot parse "-" is NULL. The one Trino function
DuckDB lacks, bitwise_or_agg, is DuckDB's bit_or. Athena's CSV: a header
row, every value in double quotes, NULL as nothing.
"""
import sys

import duckdb

from duckdb_aggregate import header

# The guide's CREATE TABLE: the int and bigint columns; the rest are string.
INTS = {"version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "tcp_flags", "traffic_path"}


def main():
    sql_file, files = sys.argv[1], sys.argv[2:]
    con = duckdb.connect()
    columns = header(files[0])
    select = ", ".join(
        f'TRY_CAST("{c}" AS BIGINT) AS "{c.replace("-", "_")}"' if c.replace("-", "_") in INTS else f'"{c}" AS "{c.replace("-", "_")}"'
        for c in columns)
    # Two steps: DuckDB would push the casts into the CSV reader, which then
    # fails on "-" instead of making it NULL.
    con.execute("CREATE TABLE raw AS SELECT * FROM read_csv($files, delim = ' ', header = true, all_varchar = true)", {"files": files})
    con.execute(f"CREATE TABLE vpc_flow_logs AS SELECT {select} FROM raw")
    con.execute("CREATE MACRO bitwise_or_agg(x) AS bit_or(x)")
    result = con.execute(open(sql_file).read())
    out = sys.stdout
    out.write(",".join(f'"{d[0]}"' for d in result.description) + "\n")
    for row in result.fetchall():
        out.write(",".join("" if v is None else '"' + str(v).replace('"', '""') + '"' for v in row) + "\n")


main()
