package test
import ("context";"os";"os/exec";"testing";"time";"math/rand/v2")
func TestZZProf(t *testing.T){
	env := newTestEnv(t)
	var ups []upload
	for i := range 4 { req, files := heavyMessage(t, int64(100+i)); ups = append(ups, encodeUpload(t, req, files, true)) }
	if os.Getenv("ZZ_TEXT") == "1" { ups = nil; for i := range 12 { req, files := textMessage(t, int64(500+i)); ups = append(ups, encodeUpload(t, req, files, true)) } }
	svc := startServiceBin(t, binPath, env, "", "SENDEVAGT_CACHE_MB=0", "SENDEVAGT_DEBUG_ADDR=127.0.0.1:6061")
	defer svc.stop()
	token := env.tokenFor("00000000-0000-4000-8000-00000000abcd", "ansat.bench@aarhus.dk")
	for i := range 3 { svc.postUpload(context.Background(), token, ups[i%len(ups)]) }
	done := make(chan struct{})
	go func(){ exec.Command("sh","-c","curl -s -o /tmp/svc.prof 'http://127.0.0.1:6061/debug/pprof/profile?seconds=12'").Run(); close(done) }()
	if os.Getenv("ZZ_LOAD") == "1" {
		runLoad(t, env, []*service{svc}, 8, 14*time.Second, 0, func(rng *rand.Rand) upload { return ups[rng.IntN(len(ups))] })
	} else {
		deadline := time.Now().Add(14*time.Second)
		for i := 0; time.Now().Before(deadline); i++ { svc.postUpload(context.Background(), token, ups[i%len(ups)]) }
	}
	<-done
}
