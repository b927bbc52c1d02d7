package store

import "testing"

func TestRebindDollar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"INSERT INTO t (a, b) VALUES (?, ?), (?, ?)", "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"},
		{"SELECT '?' , ? FROM t", "SELECT '?' , $1 FROM t"},
		{"SELECT 'it''s ?', ? FROM t", "SELECT 'it''s ?', $1 FROM t"},
		{`SELECT "we?rd" FROM t WHERE x = ?`, `SELECT "we?rd" FROM t WHERE x = $1`},
		{"SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2"},
		{"SELECT ? /* why? */ , ?", "SELECT $1 /* why? */ , $2"},
		{`WHERE REPLACE(e.documents, '"status":"scanned"', '') LIKE '%"status":"%' AND e.test = ?`,
			`WHERE REPLACE(e.documents, '"status":"scanned"', '') LIKE '%"status":"%' AND e.test = $1`},
		{"SELECT ?, 'unterminated ?", "SELECT $1, 'unterminated ?"},
		{"SELECT ? -- no newline ?", "SELECT $1 -- no newline ?"},
		{"SELECT ? /* open ?", "SELECT $1 /* open ?"},
		{"a=?,b=?,c=?,d=?,e=?,f=?,g=?,h=?,i=?,j=?", "a=$1,b=$2,c=$3,d=$4,e=$5,f=$6,g=$7,h=$8,i=$9,j=$10"},
		{"SELECT 'æøå', ?", "SELECT 'æøå', $1"},
	}
	for _, tc := range tests {
		if got := rebindDollar(tc.in); got != tc.want {
			t.Errorf("rebindDollar(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPostgresMigrationsMirrorSQLite: the same steps, with the same file names, on both.
func TestPostgresMigrationsMirrorSQLite(t *testing.T) {
	pg, err := loadMigrations(postgresDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := loadMigrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("%d PostgreSQL migrations, %d SQLite ones", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i].name != lite[i].name || pg[i].version != i+1 {
			t.Errorf("migration %d: PostgreSQL %s, SQLite %s", i+1, pg[i].name, lite[i].name)
		}
	}
}
