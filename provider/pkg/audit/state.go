package audit

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
)

// State is what the audit needs of `pulumi stack export`: the resources
// the stack holds and the creates an interrupted update left pending.
type State struct {
	resources []stateResource
	pending   []stateResource
}

type stateResource struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	ID   string `json:"id"`
}

// ReadState reads `pulumi stack export` output.
func ReadState(data []byte) (*State, error) {
	var doc struct {
		Version    int `json:"version"`
		Deployment *struct {
			Resources         []stateResource `json:"resources"`
			PendingOperations []struct {
				Resource stateResource `json:"resource"`
				Type     string        `json:"type"`
			} `json:"pending_operations"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Deployment == nil {
		return nil, fmt.Errorf("not the output of `pulumi stack export` (a JSON object with a deployment): %v", err)
	}
	s := &State{resources: doc.Deployment.Resources}
	for _, op := range doc.Deployment.PendingOperations {
		if op.Type == "creating" {
			s.pending = append(s.pending, op.Resource)
		}
	}
	return s, nil
}

// HasID reports whether the state holds a resource of the type with the id.
func (s *State) HasID(typ, id string) bool {
	for _, r := range s.resources {
		if r.Type == typ && r.ID == id {
			return true
		}
	}
	return false
}

// HasURN reports whether the state holds a resource of the type and name.
func (s *State) HasURN(typ, name string) bool {
	for _, r := range s.resources {
		if r.Type == typ && strings.HasSuffix(r.URN, "::"+name) {
			return true
		}
	}
	return false
}

// AdoptCommand is the pulumi command that takes an orphan into the state:
// refresh --import-pending-creates when an interrupted create left it
// pending, else import under the mesh component.
func (s *State) AdoptCommand(mesh string, r resources.Resource, id string) string {
	for _, p := range s.pending {
		if p.Type == r.Type && strings.HasSuffix(p.URN, "::"+r.Name) {
			return fmt.Sprintf("pulumi refresh --import-pending-creates '%s=%s'", p.URN, id)
		}
	}
	parent := ""
	for _, c := range s.resources {
		if c.Type == "servicemesh:index:ServiceMesh" && strings.HasSuffix(c.URN, "::"+mesh) {
			parent = fmt.Sprintf(" --parent '%s=%s'", mesh, c.URN)
		}
	}
	return fmt.Sprintf("pulumi import %s %s '%s'%s", r.Type, r.Name, id, parent)
}
