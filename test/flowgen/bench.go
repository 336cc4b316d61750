// Package flowgen writes VPC Flow Logs records for tests and benchmarks.
//
// BenchFiles writes synthetic version 5 files, as S3 delivery writes them
// (the header line, gzip), drawing each record's tuple from a fixed pool, so
// the number of distinct tuples is chosen independently of the record count.
package flowgen

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// BenchHeader is the files' format: every field up to version 5.
const BenchHeader = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path"

// BenchSpec sizes a benchmark data set.
type BenchSpec struct {
	Files, Records int    // files, and records in each
	Tuples         uint64 // size of the tuple pool records draw from
	Seed           uint64
	Start          int64 // Unix seconds of the first file's records; 0 for a fixed day
}

// BenchFiles writes spec.Files gzip files into dir, in parallel, and
// returns their paths.
func BenchFiles(dir string, spec BenchSpec) ([]string, error) {
	paths := make([]string, spec.Files)
	errs := make([]error, spec.Files)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for f := range paths {
		paths[f] = filepath.Join(dir, fmt.Sprintf("111122223333_vpcflowlogs_us-east-1_fl-0bench_20261127T%04dZ_%08x.log.gz", f, spec.Seed))
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[f] = writeBenchFile(paths[f], spec, uint64(f))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// splitmix is a tiny deterministic generator: the same spec gives the same
// bytes on every machine.
type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

var benchPorts = []int{443, 80, 22, 3306, 5432, 6379, 7200, 7500, 8080, 8125, 2003, 9200, 5044, 53, 123}

func writeBenchFile(path string, spec BenchSpec, file uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(zw, 1<<20)
	fmt.Fprintln(w, BenchHeader)
	rng := splitmix(spec.Seed ^ file*0x5851f42d4c957f2d)
	start := cmp.Or(spec.Start, 1795000000) + int64(file)*600
	var b []byte
	for range spec.Records {
		tuple := splitmix(rng.next() % spec.Tuples)
		x := tuple.next()
		y := tuple.next()
		eni := x % 1000
		proto := 6
		if y%10 == 0 {
			proto = 17
		}
		action := "ACCEPT"
		if y%23 == 0 {
			action = "REJECT"
		}
		port := benchPorts[(x>>10)%uint64(len(benchPorts))]
		if y%7 == 0 {
			port = int(1024 + (y>>8)%64000)
		}
		r := rng.next()
		flags := [...]int{2, 18, 16, 24, 1, 3, 19, 0}[r%8]
		packets := 1 + r>>8%200
		s := start + int64(r>>20%60)
		b = b[:0]
		b = append(b, "5 111122223333 eni-0"...)
		b = strconv.AppendUint(b, 0x1000000000000000+eni, 16)
		src := ip(b[:0:0], 10, x>>16)
		dst := ip(b[:0:0], 10, x>>32)
		b = append(append(append(b, ' '), src...), ' ')
		b = append(b, dst...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, 32768+r>>32%28000, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(port), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(proto), 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, packets, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, packets*(40+r>>40%1400), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, s, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, s+60, 10)
		b = append(b, ' ')
		b = append(b, action...)
		b = append(b, " OK vpc-0123456789abcdef0 subnet-0123456789abcdef0 i-0123456789abcdef0 "...)
		b = strconv.AppendInt(b, int64(flags), 10)
		b = append(b, " IPv4 "...)
		// One tuple in 64 is seen through a middlebox (a load balancer's
		// interface): two original sources in pkt-srcaddr behind one srcaddr,
		// so records that differ only there must stay apart.
		if y%64 == 1 {
			b = ip(b, 100, 64<<16|r>>56&1)
		} else {
			b = append(b, src...)
		}
		b = append(append(append(b, ' '), dst...), " us-east-1 use1-az1 - - - - "...)
		if y%3 == 0 {
			b = append(b, "egress -\n"...)
		} else {
			b = append(b, "ingress -\n"...)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// ip spells 10.x.y.z from v's low 24 bits, in the VPC's 10.0.0.0/8.
func ip(b []byte, first byte, v uint64) []byte {
	b = strconv.AppendUint(b, uint64(first), 10)
	for i := range 3 {
		b = append(b, '.')
		b = strconv.AppendUint(b, v>>(8*(2-i))&0xff, 10)
	}
	return b
}
