package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

func cmdUser(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: meridian user add|list …")
		return errUsage
	}
	switch args[0] {
	case "add":
		return cmdUserAdd(e, args[1:])
	case "list":
		return cmdUserList(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "meridian user: unknown subcommand %q (add, list)\n", args[0])
	return errUsage
}

func cmdUserAdd(e *env, args []string) error {
	fs := e.flags("user add", "user add --email E --name N --role admin|manager|rep [--password-stdin] [--home LON,LAT]")
	email := fs.String("email", "", "the user's email (their sign-in name)")
	name := fs.String("name", "", "the user's full name")
	role := fs.String("role", "rep", "admin, manager or rep")
	stdinPw := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	home := fs.String("home", "", "home location as LON,LAT (where a rep's day starts)")
	asJSON := fs.Bool("json", false, "print the new user as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return err
	}
	u := &auth.User{Email: *email, Name: *name, Role: r}
	if *home != "" {
		var p geo.Point
		if _, err := fmt.Sscanf(strings.ReplaceAll(*home, " ", ""), "%g,%g", &p.Lon, &p.Lat); err != nil {
			return derrors.Invalidf("--home: %q is not LON,LAT", *home)
		}
		if err := p.Validate(); err != nil {
			return derrors.Invalidf("--home: %v", err)
		}
		u.Home = &p
	}
	password, printed := "", false
	if *stdinPw {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return derrors.Invalidf("--password-stdin: no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, printed = auth.RandomPassword(), true
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := svc.CreateUser(e.ctx, auth.System, u, password); err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role}
		if printed {
			out["password"] = password
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	fmt.Fprintf(e.stdout, "created %s %s (%s), id %d\n", u.Role, u.Email, u.Name, u.ID)
	if printed {
		fmt.Fprintf(e.stdout, "password: %s\n(shown once; it is stored only as a hash)\n", password)
	}
	return nil
}

func cmdUserList(e *env, args []string) error {
	fs := e.flags("user list", "user list [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := svc.ListUsers(e.ctx, auth.System)
	if err != nil {
		return err
	}
	if *asJSON {
		items := []map[string]any{}
		for _, u := range us {
			items = append(items, map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role, "disabled": u.Disabled})
		}
		return json.NewEncoder(e.stdout).Encode(map[string]any{"items": items, "total": len(items)})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE")
	for _, u := range us {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role)
	}
	return tw.Flush()
}

func cmdToken(e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(e.stderr, "Usage: meridian token create --email E [--name N]")
		return errUsage
	}
	fs := e.flags("token create", "token create --email E [--name N]")
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "cli", "a label to recognise the token by")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return derrors.Invalidf("--email: required")
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, _, err := svc.CreateToken(e.ctx, auth.System, *email, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}
