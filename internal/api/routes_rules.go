package api

// rulesRoutes lists the routes of re-engagement rules, notifications and map overlays (issue 5).
func (s *Server) rulesRoutes() []route {
	return nil
}
