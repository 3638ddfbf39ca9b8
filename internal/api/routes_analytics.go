package api

// analyticsRoutes lists the routes of journey analytics (issue 7).
func (s *Server) analyticsRoutes() []route {
	return nil
}
