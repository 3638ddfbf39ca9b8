package api

// journeyRoutes lists the routes of personas and journey maps (issue 6).
func (s *Server) journeyRoutes() []route {
	return nil
}
