// oci-conformance: husk's OCI conformance programs, built on Debian's
// runtime-tools library (golang-github-opencontainers-runtime-tools-dev): its
// generator makes the configs, its validator checks them, its cgroup readers
// read the limits back and its error codes name the spec point each test is
// about.
//
//	oci-conformance -list                  the programs, one a line
//	oci-conformance -runtime BIN PROGRAM   run one program against BIN, print TAP
//	oci-conformance inside                 the checker, run inside a container
//
// tests/conformance/run-lane.sh runs every program, each in a clean directory
// with a timeout, and joins their TAP into one stream.  The environment:
//
//	CONFORMANCE_ROOTFS   the rootfs each bundle copies (husk's test rootfs)
//	CONFORMANCE_STATE    the runtime's --root
//	CONFORMANCE_CGROUP   the cgroup every container is put under, absolute
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
)

// A program is one group of test points; each runs in a process of its own.
type program struct {
	name string
	desc string
	run  func(t *tap, r *runtime)
}

var programs = map[string]program{}

func register(name, desc string, run func(t *tap, r *runtime)) {
	programs[name] = program{name: name, desc: desc, run: run}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "inside" {
		os.Exit(inside())
	}
	list := flag.Bool("list", false, "list the programs")
	bin := flag.String("runtime", "", "the runtime binary")
	flag.Parse()

	if *list {
		names := make([]string, 0, len(programs))
		for n := range programs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Printf("%s\t%s\n", n, programs[n].desc)
		}
		return
	}
	if *bin == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: oci-conformance -runtime BIN PROGRAM | -list | inside")
		os.Exit(2)
	}
	p, ok := programs[flag.Arg(0)]
	if !ok {
		fmt.Fprintf(os.Stderr, "oci-conformance: no program %q\n", flag.Arg(0))
		os.Exit(2)
	}
	r, err := newRuntime(*bin)
	if err != nil {
		fmt.Printf("Bail out! %v\n", err)
		os.Exit(1)
	}
	t := &tap{}
	defer func() {
		r.cleanup()
		t.done()
	}()
	p.run(t, r)
}
