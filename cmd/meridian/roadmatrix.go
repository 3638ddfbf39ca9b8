package main

import (
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/roads"
)

// useRoadMatrix sets where route planning gets travel times: the offline
// great-circle estimate (the default), or an OSRM or Valhalla server given
// as osrm=URL or valhalla=URL.
func useRoadMatrix(svc *app.Service, spec string) error {
	cfg, err := roads.ParseFlag(spec)
	if err != nil {
		return err
	}
	if cfg.Kind == "" {
		svc.SetTravelMatrix(nil)
		return nil
	}
	c, err := roads.New(cfg)
	if err != nil {
		return err
	}
	svc.SetTravelMatrix(c)
	return nil
}
