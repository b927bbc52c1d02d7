package detect

import (
	"slices"
	"strings"
	"testing"
)

func TestSensitive(t *testing.T) {
	sens := func(e *Engine, s string) []Finding { return e.Sensitive(s) }
	runFindCases(t, sens, []findCase{
		// compounds and inflections of the core stems
		{name: "psykiatrien", text: "Hun er indlagt i psykiatrien.", want: []string{"indlagt", "psykiatrien"}},
		{name: "compound head", text: "Børne- og ungdomspsykiatrien har svaret.", want: []string{"ungdomspsykiatrien"}},
		{name: "adjective", text: "på psykiatrisk afdeling", want: []string{"psykiatrisk"}},
		{name: "definite forms", text: "indlæggelsen, diagnosen, medicinen, anbringelsen og underretningen",
			want: []string{"indlæggelsen", "diagnosen", "medicinen", "anbringelsen", "underretningen"}},
		{name: "compound modifier", text: "ønsker misbrugsbehandling og en underretningssag", want: []string{"misbrugsbehandling", "underretningssag"}},
		{name: "hyphen compound", text: "bevilling af el-kørestol", want: []string{"kørestol"}},
		{name: "capitalised", text: "Lægeerklæringen er vedhæftet.", want: []string{"lægeerklæringen"}},
		{name: "health list whole word and inflection", text: "epilepsi og epilepsien og sklerose", want: []string{"epilepsi", "epilepsien", "sklerose"}},
		{name: "abbreviations in capitals", text: "Jeg har KOL. Diagnosen er ADHD.", want: []string{"kol", "diagnosen", "adhd"}},
		{name: "phrase", text: "Han fik en betinget dom i 2020.", want: []string{"betinget dom"}},
		{name: "phrase across a line break", text: "Han fik en betinget\ndom i 2020.", want: []string{"betinget dom"}},
		{name: "criminal", text: "straffeattest, sigtelsen og han blev dømt", want: []string{"straffeattest", "sigtelsen", "dømt"}},
		{name: "social paragraph", text: "Der er iværksat en § 50-undersøgelse og tvangsfjernelse.", want: []string{"§ 50-undersøgelse", "tvangsfjernelse"}},
		{name: "other categories", text: "fagforeningen, homoseksuel, etnisk, religiøse, genetisk, fingeraftryk",
			want: []string{"fagforeningen", "homoseksuel", "etnisk", "religiøse", "genetisk", "fingeraftryk"}},
		// homonym guards and non-words
		{name: "lever", text: "Han lever et godt liv."},
		{name: "Kol as a name", text: "Kol Hansen er min nabo, og kolde hænder er ikke kol."},
		{name: "kræfter", text: "Hun har ikke kræfter til det, heller ikke arbejdskræfter."},
		{name: "body parts", text: "Han har ondt i armen, hånden, hjertet og lungerne. Hans ben og ryg."},
		{name: "ordinary words", text: "Vi tog en akut beslutning om stress, virus og operation på skaden."},
		{name: "dom inside words", text: "I ungdommen var dommeren i domkirken med sin ven."},
		{name: "no inflection beyond endings", text: "migrænepatient og sklerosefri"},
		{name: "fangst and manier", text: "Fangsten var god, og hans manier er fine."},
		{name: "first name Muslim", text: "Muslim Hansen kommer i morgen."},
		{name: "excluded compounds", text: "handicapparkering ved medicinskabet"},
	})
}

func TestSensitiveCategories(t *testing.T) {
	e := testEngine(t)
	want := map[string]string{
		"diagnose": CatHealth, "anbringelse": CatSocial, "straffeattest": CatCriminal, "etnicitet": CatEthnicity,
		"partimedlem": CatPolitical, "trosretning": CatReligion, "fagforening": CatUnion, "biseksuel": CatSexual,
		"gentest": CatGenetic, "ansigtsgenkendelse": CatBiometric,
	}
	for term, cat := range want {
		fs := e.Sensitive("Om " + term + ".")
		if len(fs) != 1 || fs[0].Category != cat || fs[0].Masked != cat {
			t.Errorf("%s: %+v", term, fs)
			continue
		}
		if strings.Contains(strings.Join(fs[0].Why, " "), term) {
			t.Errorf("%s: Why reveals the term: %v", term, fs[0].Why)
		}
	}
}

// TestACLanes checks that the multi-lane scan of a long text reports exactly the matches of a
// plain single-lane scan.
func TestACLanes(t *testing.T) {
	e := testEngine(t)
	text := makeLetters(300 << 10)
	type m struct {
		end int
		id  int32
	}
	var one, many []m
	ac := e.sensitive.ac
	ac.scanRange(text, 0, 0, len(text), 0, 0, func(_, end int, id int32) { one = append(one, m{end, id}) })
	ac.scan(text, func(_, end int, id int32) { many = append(many, m{end, id}) })
	cmp := func(a, b m) int {
		if a.end != b.end {
			return a.end - b.end
		}
		return int(a.id - b.id)
	}
	slices.SortFunc(one, cmp)
	slices.SortFunc(many, cmp)
	if len(one) == 0 || !slices.Equal(one, many) {
		t.Fatalf("single lane %d matches, lanes %d", len(one), len(many))
	}
}
