package api

// planningRoutes lists the routes of route planning (issue 4).
func (s *Server) planningRoutes() []route {
	return nil
}
