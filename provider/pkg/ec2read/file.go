package ec2read

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// describeOutput is any of the describe commands' JSON; the AWS CLI's
// keys match the SDK's field names, so the SDK types decode it.
type describeOutput struct {
	SecurityGroups     *[]types.SecurityGroup
	SecurityGroupRules *[]types.SecurityGroupRule
	NetworkInterfaces  *[]types.NetworkInterface
	Subnets            *[]types.Subnet
	NetworkAcls        *[]types.NetworkAcl
	PrefixLists        *[]types.ManagedPrefixList // describe-managed-prefix-lists
	Entries            *[]types.PrefixListEntry   // get-managed-prefix-list-entries
}

// ReadFiles reads the output of `aws ec2 describe-security-groups --output
// json`, and optionally of describe-security-group-rules,
// describe-network-interfaces, describe-subnets, describe-network-acls and
// describe-managed-prefix-lists: one file each, or one object with their keys
// merged. Exactly one file must hold SecurityGroups. The output of
// get-managed-prefix-list-entries does not name its list, so its path is
// given as pl-ID=FILE.
func ReadFiles(paths ...string) (*Account, error) {
	var groups []types.SecurityGroup
	var rules []types.SecurityGroupRule
	var enis []types.NetworkInterface
	var subnets []types.Subnet
	var acls []types.NetworkAcl
	var lists []types.ManagedPrefixList
	entries := map[string][]types.PrefixListEntry{}
	var withGroups, withRules, withENIs bool
	for _, arg := range paths {
		list, path, named := strings.Cut(arg, "=")
		if !named || !strings.HasPrefix(list, "pl-") {
			list, path = "", arg
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out, err := decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		switch {
		case out.Entries != nil && list == "":
			return nil, fmt.Errorf("%s: get-managed-prefix-list-entries output does not name its prefix list: give it as pl-ID=%s", path, path)
		case out.Entries == nil && list != "":
			return nil, fmt.Errorf("%s: %s= names a prefix list, but the file has no Entries (the output of `aws ec2 get-managed-prefix-list-entries --prefix-list-id %s`)", path, list, list)
		case out.Entries != nil:
			entries[list] = append(entries[list], *out.Entries...)
		}
		if out.PrefixLists != nil {
			lists = append(lists, *out.PrefixLists...)
		}
		if out.SecurityGroups != nil {
			if withGroups {
				return nil, fmt.Errorf("%s: a second describe-security-groups output; give one, for one VPC or the whole region", path)
			}
			withGroups, groups = true, *out.SecurityGroups
		}
		if out.SecurityGroupRules != nil {
			withRules, rules = true, append(rules, *out.SecurityGroupRules...)
		}
		if out.NetworkInterfaces != nil {
			withENIs, enis = true, append(enis, *out.NetworkInterfaces...)
		}
		if out.Subnets != nil {
			subnets = append(subnets, *out.Subnets...)
		}
		if out.NetworkAcls != nil {
			acls = append(acls, *out.NetworkAcls...)
		}
	}
	if !withGroups {
		return nil, fmt.Errorf("%s: no SecurityGroups: give the output of `aws ec2 describe-security-groups --output json` too", strings.Join(paths, ", "))
	}
	// Describe tells "read, none" (empty) from "not read" (nil).
	if withRules && rules == nil {
		rules = []types.SecurityGroupRule{}
	}
	if withENIs && enis == nil {
		enis = []types.NetworkInterface{}
	}
	return FromDescribe("file "+strings.Join(paths, ", "), Describe{SecurityGroups: groups, SecurityGroupRules: rules,
		NetworkInterfaces: enis, Subnets: subnets, NetworkAcls: acls, PrefixLists: lists, PrefixListEntries: entries})
}

// Describe is the describe commands' output as the AWS SDK's types hold it,
// for a caller that has it in memory (a test building an account).
type Describe struct {
	SecurityGroups     []types.SecurityGroup
	SecurityGroupRules []types.SecurityGroupRule
	NetworkInterfaces  []types.NetworkInterface
	Subnets            []types.Subnet
	NetworkAcls        []types.NetworkAcl
	PrefixLists        []types.ManagedPrefixList
	// PrefixListEntries are get-managed-prefix-list-entries by list id.
	PrefixListEntries map[string][]types.PrefixListEntry
}

// FromDescribe builds an Account as ReadFiles does; source names it in
// messages.
func FromDescribe(source string, d Describe) (*Account, error) {
	a, err := build(source, d.SecurityGroups, d.SecurityGroupRules, d.NetworkInterfaces, d.SecurityGroupRules != nil, d.NetworkInterfaces != nil)
	if err != nil {
		return nil, err
	}
	if err := a.addNetwork(d.Subnets, d.NetworkAcls, d.NetworkInterfaces); err != nil {
		return nil, err
	}
	if err := a.addPrefixLists(d.PrefixLists, d.PrefixListEntries); err != nil {
		return nil, err
	}
	return a, nil
}

func decode(data []byte) (describeOutput, error) {
	const want = "not the JSON of `aws ec2 describe-security-groups --output json` (nor of describe-security-group-rules, describe-network-interfaces, describe-subnets, describe-network-acls, describe-managed-prefix-lists or get-managed-prefix-list-entries)"
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return describeOutput{}, fmt.Errorf("%s: %w", want, err)
	}
	known := map[string]bool{"SecurityGroups": true, "SecurityGroupRules": true, "NetworkInterfaces": true, "Subnets": true, "NetworkAcls": true,
		"PrefixLists": true, "Entries": true, "NextToken": true}
	found := false
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if !known[k] {
			return describeOutput{}, fmt.Errorf("%s: unexpected key %q", want, k)
		}
		found = found || k != "NextToken"
	}
	if !found {
		return describeOutput{}, fmt.Errorf("%s: it has none of SecurityGroups, SecurityGroupRules, NetworkInterfaces, Subnets, NetworkAcls, PrefixLists, Entries", want)
	}
	var out describeOutput
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&out); err != nil {
		return describeOutput{}, fmt.Errorf("%s: %w", want, err)
	}
	return out, nil
}
