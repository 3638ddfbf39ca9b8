package auth

import (
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %q, want an argon2id PHC string", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("CheckPassword(right password) = false")
	}
	for _, wrong := range []string{"correct horse batterY", "", "correct horse battery "} {
		if CheckPassword(h, wrong) {
			t.Errorf("CheckPassword(%q) = true", wrong)
		}
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("HashPassword(short) = nil error")
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=1,t=1,p=1$!!$!!"} {
		if CheckPassword(bad, "x") {
			t.Errorf("CheckPassword(%q, x) = true", bad)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret("mrd_"), NewSecret("mrd_")
	if a == b || !strings.HasPrefix(a, "mrd_") || len(a) != 4+43 {
		t.Errorf("NewSecret = %q, %q; want distinct mrd_ + 43 characters", a, b)
	}
	if HashSecret(a) == HashSecret(b) || len(HashSecret(a)) != 64 || HashSecret(a) != HashSecret(a) {
		t.Error("HashSecret is not a stable SHA-256 hex digest")
	}
}

func TestRolesAndUsers(t *testing.T) {
	if r, err := ParseRole(" Manager "); err != nil || r != RoleManager {
		t.Errorf("ParseRole(Manager) = %q, %v", r, err)
	}
	if _, err := ParseRole("owner"); err == nil {
		t.Error("ParseRole(owner) = nil error")
	}
	u := &User{Email: " Ann@Example.COM ", Name: " Ann ", Role: RoleRep}
	if err := u.Validate(); err != nil || u.Email != "ann@example.com" || u.Name != "Ann" {
		t.Errorf("Validate = %v, user %+v", err, u)
	}
	for _, bad := range []*User{{Email: "not-an-email", Name: "x", Role: RoleRep}, {Email: "a@b.c", Name: "", Role: RoleRep}, {Email: "a@b.c", Name: "x", Role: "boss"}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil error", bad)
		}
	}
	rep := &Actor{User: &User{ID: 7, Role: RoleRep}}
	rep.Scope = nil
	if rep.IsManager() || rep.RequireManager() == nil {
		t.Error("a rep passes as a manager")
	}
}
