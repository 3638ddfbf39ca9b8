// Package auth holds users, their roles, API tokens and browser sessions, and
// the access policy: admins do everything (users too), managers see and
// change all data, reps see and change only the accounts they own or that lie
// in territories assigned to them.
//
// Passwords are stored as argon2id hashes; tokens and session ids are random
// and stored only as SHA-256 hashes, so a copy of the database gives no way in.
package auth
