package api

// fieldRoutes lists the routes of field activity: check-ins, pings, auto visits, nearby, rep metrics (issue 5).
func (s *Server) fieldRoutes() []route {
	return nil
}
