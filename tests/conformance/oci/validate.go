package main

// Programs that hold what the runtime writes against the library's config
// validator and runtime-spec's JSON schemas (Debian's
// golang-github-opencontainers-specs-dev ships them).

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	multierror "github.com/hashicorp/go-multierror"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/specerror"
	"github.com/opencontainers/runtime-tools/validate"
	"github.com/xeipuuv/gojsonschema"
)

const schemaDir = "/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema"

func init() {
	register("spec_validates", "`spec` writes a config the validator accepts", specValidates(nil))
	register("spec_rootless_validates", "`spec --rootless` writes a config the validator accepts", specValidates([]string{"--rootless"}))
	register("state_schema", "`state` prints JSON that runtime-spec's state schema accepts", stateSchema)
}

// schemaCheck validates DOC against SCHEMA (a file of schemaDir).
func schemaCheck(schema string, doc []byte) []string {
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+filepath.Join(schemaDir, schema)),
		gojsonschema.NewBytesLoader(doc))
	if err != nil {
		return []string{err.Error()}
	}
	var errs []string
	for _, e := range res.Errors() {
		errs = append(errs, e.String())
	}
	return errs
}

func specValidates(args []string) func(t *tap, r *runtime) {
	return func(t *tap, r *runtime) {
		dir := filepath.Join(r.work, "spec")
		if err := os.MkdirAll(filepath.Join(dir, "rootfs"), 0o755); err != nil {
			t.fail("make a bundle directory", "%v", err)
			return
		}
		res := runCmd(cmdTimeout, "", r.bin, append([]string{"spec", "--bundle", dir}, args...)...)
		if !t.ok(res.ok(), "`spec "+strings.Join(args, " ")+"` succeeds", "%s", res) {
			return
		}
		data, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if !t.ok(err == nil, "`spec` writes config.json", "%v", err) {
			return
		}
		errs := schemaCheck("config-schema.json", data)
		t.ok(len(errs) == 0, "config.json is valid against runtime-spec's config schema", "%s", strings.Join(errs, "\n"))
		var cfg map[string]interface{}
		if err := json.Unmarshal(data, &cfg); err != nil {
			t.fail("config.json is JSON", "%v", err)
			return
		}
		version, _ := cfg["ociVersion"].(string)
		_, err = semver.Parse(version)
		t.ok(err == nil, "ociVersion is a SemVer 2.0.0 version "+spec(specerror.SpecVersionInSemVer), "%q: %v", version, err)
		// The library validates the configs of runtime-spec 1.0.2 only: it
		// checks this one as such, after the ociVersion check above.
		var s rspec.Spec
		if err := json.Unmarshal(data, &s); err != nil {
			t.fail("config.json reads as a runtime-spec config", "%v", err)
			return
		}
		s.Version = rspec.Version
		v, err := validate.NewValidator(&s, dir, false, "linux")
		if !t.ok(err == nil, "the validator reads config.json", "%v", err) {
			return
		}
		for _, c := range []struct {
			name string
			run  func() error
		}{
			{"root", v.CheckRoot}, {"mandatory fields", v.CheckMandatoryFields},
			{"hooks", v.CheckHooks}, {"process", v.CheckProcess}, {"mounts", v.CheckMounts},
			{"linux", v.CheckLinux}, {"linux.resources", v.CheckLinuxResources}, {"annotations", v.CheckAnnotations},
			{"platform", v.CheckPlatform},
		} {
			err, crashed := safeCheck(c.run)
			if crashed {
				// A bug of the validator's (it dereferences optional fields
				// without looking), not of the config.
				t.skip("the validator accepts the config's "+c.name, fmt.Sprintf("the validator crashed on it: %v", err))
				continue
			}
			t.ok(err == nil, "the validator accepts the config's "+c.name, "%v", err)
		}
	}
}

// safeCheck runs one of the validator's checks: its multierror results can
// be an empty list, which is no error, and a config it does not expect can
// make it panic, which is one.
func safeCheck(check func() error) (err error, crashed bool) {
	defer func() {
		if p := recover(); p != nil {
			err, crashed = fmt.Errorf("%v", p), true
		}
	}()
	err = check()
	if me, ok := err.(*multierror.Error); ok && (me == nil || len(me.Errors) == 0) {
		err = nil
	}
	return err, false
}

func stateSchema(t *tap, r *runtime) {
	b := r.newBundle(t)
	b.g.AddAnnotation("org.opencontainers.conformance", "value")
	res := r.create(b)
	if !t.ok(res.ok(), "create succeeds", "%s", res) {
		return
	}
	for _, phase := range []string{"created", "running", "stopped"} {
		switch phase {
		case "running":
			r.exec("", "start", b.id)
		case "stopped":
			r.exec("", "kill", b.id, "KILL")
			r.waitStatus(b.id, "stopped", 5e9)
		}
		res := r.exec("", "state", b.id)
		var st map[string]interface{}
		if !t.ok(res.ok() && json.Unmarshal([]byte(res.stdout), &st) == nil, "state of a "+phase+" container prints JSON", "%s", res) {
			continue
		}
		errs := schemaCheck("state-schema.json", []byte(res.stdout))
		t.ok(len(errs) == 0, "the state of a "+phase+" container is valid against runtime-spec's state schema", "%s\n%s", strings.Join(errs, "\n"), res.stdout)
	}
	r.exec("", "delete", "--force", b.id)
}
