// Package deploy_test checks the container build and the Kubernetes manifests in this directory
// against each other and against the service's real configuration (server/config.go). They
// cannot be built or applied in CI (no Docker, no cluster); these tests catch what drifts.
package deploy_test

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	namespace   = "sendevagt"
	servicePort = 8443
	// internalPort serves /metrics and /readyz (SENDEVAGT_INTERNAL_ADDR), never exposed.
	internalPort = 9090
	uid          = 10001
)

// obj is one Kubernetes document; file names where it came from.
type obj struct {
	file string
	m    map[string]any
}

func (o obj) kind() string { return str(o.m, "kind") }
func (o obj) name() string { return str(o.m, "metadata", "name") }

// get walks maps by key; nil when a step is missing or not a map.
func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...string) []any {
	l, _ := get(v, path...).([]any)
	return l
}

func loadAll(t *testing.T) []obj {
	t.Helper()
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no k8s/*.yaml: %v", err)
	}
	var out []obj
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for i := 0; ; i++ {
			var m map[string]any
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			if m == nil {
				continue // an empty document (a trailing ---)
			}
			out = append(out, obj{file: filepath.Base(f), m: m})
		}
	}
	return out
}

func find(t *testing.T, objs []obj, kind string) []obj {
	t.Helper()
	var out []obj
	for _, o := range objs {
		if o.kind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func one(t *testing.T, objs []obj, kind string) obj {
	t.Helper()
	l := find(t, objs, kind)
	if len(l) != 1 {
		t.Fatalf("want exactly one %s, have %d", kind, len(l))
	}
	return l[0]
}

// serveEnvVars derives the SENDEVAGT_* names of `sendevagt serve` from server/config.go: every
// flag is declared by a call str/list/dur/integer/int64v(&field, "name", ...) inside
// parseServeFlags, and its variable is SENDEVAGT_ + the name upper-cased with - → _ (envVar).
func serveEnvVars(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join("..", "config.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declare := map[string]bool{"str": true, "list": true, "dur": true, "integer": true, "int64v": true}
	names := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "parseServeFlags" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok || !declare[id.Name] {
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			name, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			names["SENDEVAGT_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))] = true
			return true
		})
		return false
	})
	// A sanity floor: config.go declares over 40 flags; far fewer means the parse went wrong.
	for _, must := range []string{"SENDEVAGT_DATA_DIR", "SENDEVAGT_DATABASE_URL", "SENDEVAGT_HMAC_KEY", "SENDEVAGT_TLS_CERT", "SENDEVAGT_SHUTDOWN_TIMEOUT"} {
		if !names[must] {
			t.Fatalf("flag list from config.go lacks %s (have %d names): the parser no longer matches config.go", must, len(names))
		}
	}
	if len(names) < 30 {
		t.Fatalf("only %d flags found in config.go", len(names))
	}
	return names
}

func TestDocumentsAreWellFormed(t *testing.T) {
	objs := loadAll(t)
	listed := map[string]bool{}
	for _, o := range objs {
		if str(o.m, "apiVersion") == "" || o.kind() == "" {
			t.Errorf("%s: a document without apiVersion or kind", o.file)
			continue
		}
		if o.kind() == "Kustomization" {
			for _, r := range list(o.m, "resources") {
				listed[r.(string)] = true
			}
			continue
		}
		if o.name() == "" {
			t.Errorf("%s: %s without metadata.name", o.file, o.kind())
		}
		if o.kind() != "Namespace" && str(o.m, "metadata", "namespace") != namespace {
			t.Errorf("%s: %s/%s not in namespace %s", o.file, o.kind(), o.name(), namespace)
		}
	}
	// Kustomization: every manifest but the Secret template is applied; the template never is
	// (it would overwrite the real Secrets with placeholders).
	files, _ := filepath.Glob("k8s/*.yaml")
	for _, f := range files {
		b := filepath.Base(f)
		switch {
		case b == "kustomization.yaml":
		case strings.HasPrefix(b, "secret"):
			if listed[b] {
				t.Errorf("kustomization.yaml applies %s", b)
			}
		case !listed[b]:
			t.Errorf("kustomization.yaml does not list %s", b)
		}
	}
	for r := range listed {
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}
	for _, kind := range []string{"Namespace", "ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress"} {
		if len(find(t, objs, kind)) == 0 {
			t.Errorf("no %s", kind)
		}
	}
}

func container(t *testing.T, d obj) map[string]any {
	t.Helper()
	cs := list(d.m, "spec", "template", "spec", "containers")
	if len(cs) != 1 {
		t.Fatalf("deployment: want one container, have %d", len(cs))
	}
	return cs[0].(map[string]any)
}

// portNumber resolves a probe's or Service's port (number or the container port's name).
func portNumber(c map[string]any, p any) int {
	switch p := p.(type) {
	case int:
		return p
	case string:
		for _, cp := range list(c, "ports") {
			if str(cp, "name") == p {
				n, _ := get(cp, "containerPort").(int)
				return n
			}
		}
	}
	return 0
}

func TestDeploymentProbes(t *testing.T) {
	d := one(t, loadAll(t), "Deployment")
	c := container(t, d)
	// /readyz is served only on the internal port (plain HTTP); /healthz on the service port.
	for probe, paths := range map[string][]string{
		"readinessProbe": {"/readyz"},
		"livenessProbe":  {"/healthz"},
		"startupProbe":   {"/healthz"},
	} {
		p := get(c, probe)
		if p == nil {
			t.Errorf("no %s", probe)
			continue
		}
		if path := str(p, "httpGet", "path"); !slices.Contains(paths, path) {
			t.Errorf("%s path %q, want one of %v", probe, path, paths)
		}
		wantScheme, wantPort := "HTTPS", servicePort // the service serves TLS itself
		if str(p, "httpGet", "path") == "/readyz" {
			wantScheme, wantPort = "HTTP", internalPort
		}
		if s := str(p, "httpGet", "scheme"); s != wantScheme {
			t.Errorf("%s scheme %q, want %s", probe, s, wantScheme)
		}
		if n := portNumber(c, get(p, "httpGet", "port")); n != wantPort {
			t.Errorf("%s port %d, want %d", probe, n, wantPort)
		}
	}
	if n := portNumber(c, "https"); n != servicePort {
		t.Errorf("container port https = %d, want %d", n, servicePort)
	}
}

// quantity parses the Kubernetes quantities used here: 500m, 2, 1Gi, 512Mi.
func quantity(t *testing.T, v any) float64 {
	t.Helper()
	s := ""
	switch v := v.(type) {
	case string:
		s = v
	case int:
		return float64(v)
	default:
		t.Fatalf("quantity %v (%T)", v, v)
	}
	mult := 1.0
	for suffix, m := range map[string]float64{"m": 1e-3, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 1e3, "M": 1e6, "G": 1e9} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSuffix(s, suffix), m
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("quantity %q: %v", v, err)
	}
	return f * mult
}

func TestDeploymentResourcesAndSecurity(t *testing.T) {
	objs := loadAll(t)
	d := one(t, objs, "Deployment")
	c := container(t, d)
	for _, r := range []string{"cpu", "memory"} {
		req, lim := get(c, "resources", "requests", r), get(c, "resources", "limits", r)
		if req == nil || lim == nil {
			t.Errorf("resources: %s request %v, limit %v: both required", r, req, lim)
			continue
		}
		if quantity(t, req) > quantity(t, lim) {
			t.Errorf("resources: %s request %v above limit %v", r, req, lim)
		}
	}

	pod := get(d.m, "spec", "template", "spec")
	sc := get(c, "securityContext")
	if get(sc, "runAsNonRoot") != true && get(pod, "securityContext", "runAsNonRoot") != true {
		t.Error("runAsNonRoot is not set")
	}
	for _, s := range []any{get(sc, "runAsUser"), get(pod, "securityContext", "runAsUser")} {
		if s != nil && s != uid {
			t.Errorf("runAsUser %v, the image's user is %d", s, uid)
		}
	}
	if get(sc, "allowPrivilegeEscalation") != false {
		t.Error("allowPrivilegeEscalation must be false")
	}
	if get(sc, "privileged") == true {
		t.Error("privileged container")
	}
	if get(sc, "readOnlyRootFilesystem") != true {
		t.Error("readOnlyRootFilesystem must be true")
	}
	if drop := list(sc, "capabilities", "drop"); !slices.Contains(drop, any("ALL")) {
		t.Errorf("capabilities.drop %v, want ALL", drop)
	}
	if add := list(sc, "capabilities", "add"); len(add) > 0 {
		t.Errorf("capabilities.add %v", add)
	}

	// With a read-only root, everything the service and its tools write must be a volume: the
	// data directory (audit spool) and /tmp (OCR page renders).
	mounts := map[string]string{}
	for _, m := range list(c, "volumeMounts") {
		mounts[str(m, "mountPath")] = str(m, "name")
	}
	cm := configMapData(t, objs)
	for _, dir := range []string{cm["SENDEVAGT_DATA_DIR"], "/tmp"} {
		if dir == "" || (mounts[dir] == "" && mounts[path.Dir(dir)] == "") {
			t.Errorf("no volume mounted at %q or its parent (mounts %v)", dir, mounts)
		}
	}
	if get(pod, "topologySpreadConstraints") == nil {
		t.Error("no topologySpreadConstraints")
	}
}

func configMapData(t *testing.T, objs []obj) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range get(one(t, objs, "ConfigMap").m, "data").(map[string]any) {
		s, ok := v.(string)
		if !ok {
			t.Errorf("ConfigMap %s: value %v is not a string (quote it)", k, v)
		}
		out[k] = s
	}
	return out
}

// secrets returns the Secret template's keys per Secret name.
func secrets(t *testing.T, objs []obj) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, s := range find(t, objs, "Secret") {
		kv := map[string]string{}
		sd, _ := get(s.m, "stringData").(map[string]any)
		for k, v := range sd {
			kv[k], _ = v.(string)
		}
		out[s.name()] = kv
	}
	return out
}

func TestEnvironmentNamesAreRealFlags(t *testing.T) {
	objs := loadAll(t)
	real := serveEnvVars(t)
	d := one(t, objs, "Deployment")
	c := container(t, d)
	cm := one(t, objs, "ConfigMap")
	cmData := configMapData(t, objs)
	sec := secrets(t, objs)

	check := func(where, name string) {
		if strings.HasPrefix(name, "SENDEVAGT_") && !real[name] {
			t.Errorf("%s: %s is not a flag of `sendevagt serve` (server/config.go)", where, name)
		}
	}
	for k := range cmData {
		check("ConfigMap", k)
	}
	for name, kv := range sec {
		for k := range kv {
			check("Secret "+name, k)
		}
	}
	seen := map[string]bool{}
	for _, e := range list(c, "env") {
		name := str(e, "name")
		check("Deployment env", name)
		if seen[name] || cmData[name] != "" {
			t.Errorf("Deployment env: %s set twice", name)
		}
		seen[name] = true
		if ref := get(e, "valueFrom", "secretKeyRef"); ref != nil {
			if _, ok := sec[str(ref, "name")][str(ref, "key")]; !ok {
				t.Errorf("env %s: secret %q key %q is not in secret.template.yaml", name, str(ref, "name"), str(ref, "key"))
			}
		} else if strings.Contains(strings.ToLower(name), "secret") || strings.HasSuffix(name, "_KEY") || name == "SENDEVAGT_DATABASE_URL" {
			t.Errorf("env %s is a secret but not taken from a Secret", name)
		}
	}
	for _, ef := range list(c, "envFrom") {
		if n := str(ef, "configMapRef", "name"); n != "" && n != cm.name() {
			t.Errorf("envFrom ConfigMap %q does not exist (have %q)", n, cm.name())
		}
		if get(ef, "secretRef") != nil {
			t.Error("envFrom secretRef: name each secret variable so that the check above sees it")
		}
	}
	for _, k := range []string{"SENDEVAGT_CLIENT_SECRET", "SENDEVAGT_HMAC_KEY", "SENDEVAGT_DATABASE_URL"} {
		if !seen[k] {
			t.Errorf("the Deployment does not take %s from a Secret", k)
		}
		if _, ok := cmData[k]; ok {
			t.Errorf("%s is in the ConfigMap: it is a secret", k)
		}
	}

	// The TLS files named in the ConfigMap come from a mounted Secret with those keys.
	mounts := map[string]string{}
	for _, m := range list(c, "volumeMounts") {
		mounts[str(m, "mountPath")] = str(m, "name")
	}
	vols := map[string]any{}
	for _, v := range list(d.m, "spec", "template", "spec", "volumes") {
		vols[str(v, "name")] = v
	}
	for _, k := range []string{"SENDEVAGT_TLS_CERT", "SENDEVAGT_TLS_KEY"} {
		p := cmData[k]
		if p == "" {
			t.Errorf("ConfigMap lacks %s", k)
			continue
		}
		v := vols[mounts[filepath.Dir(p)]]
		secretName := str(v, "secret", "secretName")
		if secretName == "" {
			t.Errorf("%s=%s: %s is not a Secret volume mount", k, p, filepath.Dir(p))
			continue
		}
		if _, ok := sec[secretName][filepath.Base(p)]; !ok {
			t.Errorf("%s=%s: Secret %q in the template has no key %q", k, p, secretName, filepath.Base(p))
		}
	}

	// Graceful shutdown fits in the grace period: preStop pause + SENDEVAGT_SHUTDOWN_TIMEOUT.
	grace, _ := get(d.m, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
	shutdown := 15 * time.Second // the flag's default
	if s := cmData["SENDEVAGT_SHUTDOWN_TIMEOUT"]; s != "" {
		var err error
		if shutdown, err = time.ParseDuration(s); err != nil {
			t.Fatalf("SENDEVAGT_SHUTDOWN_TIMEOUT %q: %v", s, err)
		}
	}
	var pause time.Duration
	if cmd := list(c, "lifecycle", "preStop", "exec", "command"); len(cmd) == 2 && strings.HasSuffix(cmd[0].(string), "sleep") {
		n, err := strconv.Atoi(cmd[1].(string))
		if err != nil {
			t.Fatalf("preStop %v: %v", cmd, err)
		}
		pause = time.Duration(n) * time.Second
	}
	if time.Duration(grace)*time.Second <= pause+shutdown {
		t.Errorf("terminationGracePeriodSeconds %d must exceed the preStop pause %v + SENDEVAGT_SHUTDOWN_TIMEOUT %v", grace, pause, shutdown)
	}
}

// placeholder is the form of every Secret template value: it holds a <…> placeholder.
var placeholder = regexp.MustCompile(`<[^<>]+>`)

// realLooking catches values that look like real secrets: PEM blocks, JWTs, long base64 or hex
// runs, Azure client secrets (xxx8Q~…), GUIDs other than the all-zero one.
var realLooking = []*regexp.Regexp{
	regexp.MustCompile(`-----BEGIN`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.`),
	regexp.MustCompile(`[A-Za-z0-9+/]{32,}={0,2}`),
	regexp.MustCompile(`[0-9a-fA-F]{32,}`),
	regexp.MustCompile(`[A-Za-z0-9_-]{3}\dQ~`),
	regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`),
}

func TestSecretTemplateHasOnlyPlaceholders(t *testing.T) {
	objs := loadAll(t)
	for _, s := range find(t, objs, "Secret") {
		if get(s.m, "data") != nil {
			t.Errorf("Secret %s: a data field (base64 values); the template uses stringData placeholders only", s.name())
		}
		sd, _ := get(s.m, "stringData").(map[string]any)
		if len(sd) == 0 {
			t.Errorf("Secret %s: no stringData", s.name())
		}
		for k, v := range sd {
			val, _ := v.(string)
			if !placeholder.MatchString(val) {
				t.Errorf("Secret %s key %s: %q is not a <placeholder>", s.name(), k, val)
			}
			rest := placeholder.ReplaceAllString(val, "")
			for _, re := range realLooking {
				if re.MatchString(rest) {
					t.Errorf("Secret %s key %s looks like a real value (%s)", s.name(), k, re)
				}
			}
		}
	}
	// And nothing secret-looking in any other manifest either.
	for _, f := range mustGlob(t, "k8s/*.yaml") {
		b, _ := os.ReadFile(f)
		for _, re := range realLooking[:5] {
			if re.Match(b) {
				t.Errorf("%s: %s matches %s", f, re.Find(b), re)
			}
		}
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("%s: %v", pattern, err)
	}
	return m
}

// selects reports whether every label of sel is on labels.
func selects(sel, labels any) bool {
	s, _ := sel.(map[string]any)
	l, _ := labels.(map[string]any)
	if len(s) == 0 {
		return false
	}
	for k, v := range s {
		if l[k] != v {
			return false
		}
	}
	return true
}

func TestSelectorsAndTargets(t *testing.T) {
	objs := loadAll(t)
	d := one(t, objs, "Deployment")
	podLabels := get(d.m, "spec", "template", "metadata", "labels")
	if !selects(get(d.m, "spec", "selector", "matchLabels"), podLabels) {
		t.Error("the Deployment's selector does not match its pod template")
	}

	hpa := one(t, objs, "HorizontalPodAutoscaler")
	if v := str(hpa.m, "apiVersion"); v != "autoscaling/v2" {
		t.Errorf("HPA apiVersion %q", v)
	}
	ref := get(hpa.m, "spec", "scaleTargetRef")
	if str(ref, "kind") != "Deployment" || str(ref, "name") != d.name() || str(ref, "apiVersion") != "apps/v1" {
		t.Errorf("HPA targets %v, want apps/v1 Deployment %s", ref, d.name())
	}
	minR, _ := get(hpa.m, "spec", "minReplicas").(int)
	maxR, _ := get(hpa.m, "spec", "maxReplicas").(int)
	if minR < 2 || maxR < minR {
		t.Errorf("HPA replicas %d–%d: at least 2, max ≥ min", minR, maxR)
	}
	cpu := false
	for _, m := range list(hpa.m, "spec", "metrics") {
		if str(m, "resource", "name") == "cpu" && get(m, "resource", "target", "averageUtilization") != nil {
			cpu = true
		}
	}
	if !cpu {
		t.Error("HPA has no CPU utilisation target (it needs the container's CPU request)")
	}

	pdb := one(t, objs, "PodDisruptionBudget")
	if !selects(get(pdb.m, "spec", "selector", "matchLabels"), podLabels) {
		t.Error("the PodDisruptionBudget does not select the Deployment's pods")
	}
	if get(pdb.m, "spec", "minAvailable") == nil && get(pdb.m, "spec", "maxUnavailable") == nil {
		t.Error("PDB without minAvailable or maxUnavailable")
	}

	c := container(t, d)
	svc := one(t, objs, "Service")
	if !selects(get(svc.m, "spec", "selector"), podLabels) {
		t.Error("the Service does not select the Deployment's pods")
	}
	for _, p := range list(svc.m, "spec", "ports") {
		if n := portNumber(c, get(p, "targetPort")); n != servicePort {
			t.Errorf("Service port %v → %d, want %d", get(p, "port"), n, servicePort)
		}
	}

	for _, np := range find(t, objs, "NetworkPolicy") {
		if !selects(get(np.m, "spec", "podSelector", "matchLabels"), podLabels) {
			t.Errorf("NetworkPolicy %s does not select the pods", np.name())
		}
	}

	// The Ingress routes only public paths to the Service: never /metrics or a catch-all.
	for _, ing := range find(t, objs, "Ingress") {
		for _, r := range list(ing.m, "spec", "rules") {
			for _, p := range list(r, "http", "paths") {
				path, typ := str(p, "path"), str(p, "pathType")
				if b := str(p, "backend", "service", "name"); b != svc.name() {
					t.Errorf("Ingress path %s → service %q, want %q", path, b, svc.name())
				}
				if strings.HasPrefix(path, "/metrics") || strings.HasPrefix(path, "/readyz") || strings.HasPrefix(path, "/healthz") || (path == "/" && typ != "Exact") {
					t.Errorf("Ingress exposes %s (%s): /metrics is not authenticated", path, typ)
				}
			}
		}
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms, users []string
	var lines []string
	// Join continuation lines so that a RUN spread over several lines is one instruction.
	cur := ""
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		lines = append(lines, cur+l)
		cur = ""
	}
	installs := ""
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			froms = append(froms, l)
		case "USER":
			users = append(users, f[1])
		case "RUN":
			if strings.Contains(l, "apt-get install") {
				installs += l
			}
		}
	}
	if len(froms) < 2 {
		t.Errorf("%d FROM lines: want a multi-stage build", len(froms))
	}
	if len(users) == 0 {
		t.Fatal("no USER: the image would run as root")
	}
	last := strings.Split(users[len(users)-1], ":")[0]
	if last == "root" || last == "0" {
		t.Errorf("USER %s", users[len(users)-1])
	}
	if last != strconv.Itoa(uid) {
		t.Errorf("USER %s, the Deployment runs as %d", last, uid)
	}
	for _, pkg := range []string{"poppler-utils", "tesseract-ocr", "tesseract-ocr-dan", "ca-certificates"} {
		if !slices.Contains(strings.Fields(installs), pkg) {
			t.Errorf("the image does not install %s", pkg)
		}
	}
	if !strings.Contains(installs, "--no-install-recommends") || !strings.Contains(installs, "rm -rf /var/lib/apt/lists") {
		t.Error("apt-get install without --no-install-recommends or without removing the lists")
	}
	s := string(b)
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=", "./server", "EXPOSE 8443",
		`ENTRYPOINT ["/usr/local/bin/sendevagt"]`, `CMD ["serve"]`} {
		if !strings.Contains(s, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	// -X main.version only works while main has that variable.
	src, err := os.ReadFile(filepath.Join("..", "serve.go"))
	if err != nil || !regexp.MustCompile(`(?m)^var version = `).Match(src) {
		t.Error("server/serve.go no longer has `var version`: fix -X main.version in the Dockerfile")
	}

	// The ignore file must not drop what the build needs (go.mod, go.sum, the packages and
	// their embedded files).
	ig, err := os.ReadFile("Dockerfile.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(ig), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "!") {
			continue
		}
		for _, need := range []string{"go.mod", "go.sum", "server", "server/main.go", "internal", "addin", "addin/launchevent.js", "manifest",
			"internal/store/migrations", "internal/detect/data", "internal/policy/default.yaml", "internal/admin/templates"} {
			if ok, _ := filepath.Match(strings.TrimPrefix(l, "**/"), need); ok || l == need {
				t.Errorf("Dockerfile.dockerignore: %q excludes %s", l, need)
			}
		}
	}
}
