package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// paramKind is the JSON type a request parameter must have.
type paramKind int

const (
	kindString paramKind = iota
	kindBool
	kindInt64
	kindUint64
	kindStringList
	kindFilterList
	kindTagList
)

func (k paramKind) String() string {
	return [...]string{"a string", "a boolean", "an integer", "a non-negative integer",
		"an array of strings", "an array of {Name, Values} objects", "an array of {Key, Value} objects"}[k]
}

// actionParams is the documented parameter list of every action. Anything else in a
// request is UnknownParameter.
var actionParams = map[string]map[string]paramKind{
	"AssociateAddress": {
		"AddressId": kindString, "InstanceId": kindString, "NetworkInterfaceId": kindString,
		"PrivateIpAddress": kindString, "EipDirectConnection": kindBool, "InstanceRegion": kindString,
	},
	"DisassociateAddress": {"AddressId": kindString, "ReallocateNormalPublicIp": kindBool},
	"DescribeAddresses": {
		"AddressIds": kindStringList, "Filters": kindFilterList, "Offset": kindInt64, "Limit": kindInt64,
	},
	"DescribeTaskResult":   {"TaskId": kindUint64, "DealName": kindString},
	"DescribeAddressQuota": {},
	"DescribeNetworkInterfaces": {
		"NetworkInterfaceIds": kindStringList, "Filters": kindFilterList, "Offset": kindUint64, "Limit": kindUint64,
	},
	"ReturnNormalAddresses": {"AddressIps": kindStringList},

	// CVM.
	"DescribeInstances": {
		"InstanceIds": kindStringList, "Filters": kindFilterList, "Offset": kindInt64, "Limit": kindInt64,
	},

	// STS.
	"AssumeRole": {
		"RoleArn": kindString, "RoleSessionName": kindString, "DurationSeconds": kindUint64, "Policy": kindString,
		"ExternalId": kindString, "Tags": kindTagList, "SourceIdentity": kindString, "SerialNumber": kindString,
		"TokenCode": kindString,
	},
	"AssumeRoleWithWebIdentity": {
		"ProviderId": kindString, "WebIdentityToken": kindString, "RoleArn": kindString, "RoleSessionName": kindString,
		"DurationSeconds": kindInt64,
	},
	"GetCallerIdentity": {},
}

// Request parameter structs. A nil pointer is an absent parameter.
type (
	associateAddressRequest struct {
		AddressId           *string
		InstanceId          *string
		NetworkInterfaceId  *string
		PrivateIpAddress    *string
		EipDirectConnection *bool
		InstanceRegion      *string
	}
	disassociateAddressRequest struct {
		AddressId                *string
		ReallocateNormalPublicIp *bool
	}
	describeAddressesRequest struct {
		AddressIds []string
		Filters    []addressFilter
		Offset     *int64
		Limit      *int64
	}
	// addressFilter is a {Name, Values} filter, of DescribeAddresses and
	// DescribeNetworkInterfaces alike.
	addressFilter struct {
		Name   *string
		Values []string
	}
	describeTaskResultRequest struct {
		TaskId   *uint64
		DealName *string
	}
	describeAddressQuotaRequest  struct{}
	returnNormalAddressesRequest struct {
		AddressIps []string
	}
	describeNetworkInterfacesRequest struct {
		NetworkInterfaceIds []string
		Filters             []addressFilter
		Offset              *uint64
		Limit               *uint64
	}
	describeInstancesRequest struct {
		InstanceIds []string
		Filters     []addressFilter
		Offset      *int64
		Limit       *int64
	}
	assumeRoleRequest struct {
		RoleArn         *string
		RoleSessionName *string
		DurationSeconds *uint64
		Policy          *string
		ExternalId      *string
		Tags            []sessionTag
		SourceIdentity  *string
		SerialNumber    *string
		TokenCode       *string
	}
	// sessionTag is the STS Tag structure.
	sessionTag struct {
		Key   *string
		Value *string
	}
	assumeRoleWithWebIdentityRequest struct {
		ProviderId       *string
		WebIdentityToken *string
		RoleArn          *string
		RoleSessionName  *string
		DurationSeconds  *int64
	}
	getCallerIdentityRequest struct{}
)

// decodeJSONParams checks a JSON body against the action's parameter list and decodes
// it into out.
func decodeJSONParams(action string, body []byte, out any) *apiError {
	spec := actionParams[action]
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil || top == nil {
		return errorf(codeInvalidParameter, "The request body must be a JSON object: %s.", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(codeInvalidParameter, "The request body must hold exactly one JSON object and nothing after it.")
	}
	clean := make(map[string]json.RawMessage, len(top))
	for _, name := range sortedKeys(top) {
		kind, known := spec[name]
		if !known {
			return errorf(codeUnknownParameter, "The parameter `%s` is not a parameter of %s.", name, action)
		}
		raw := top[name]
		if isJSONNull(raw) {
			continue // the SDKs omit unset fields; an explicit null means the same
		}
		if aerr := checkJSONKind(name, kind, raw); aerr != nil {
			return aerr
		}
		clean[name] = raw
	}
	b, _ := json.Marshal(clean)
	if err := json.Unmarshal(b, out); err != nil {
		return errorf(codeInvalidParameter, "The request parameters could not be decoded: %s.", jsonProblem(err))
	}
	return nil
}

func checkJSONKind(name string, kind paramKind, raw json.RawMessage) *apiError {
	wrong := func() *apiError {
		return errorf(codeInvalidParameter, "The parameter `%s` must be %s.", name, kind)
	}
	raw = bytes.TrimSpace(raw)
	switch kind {
	case kindString:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return wrong()
		}
	case kindBool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return wrong()
		}
	case kindInt64:
		if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
			return wrong()
		}
	case kindUint64:
		if _, err := strconv.ParseUint(string(raw), 10, 64); err != nil {
			return wrong()
		}
	case kindStringList, kindTagList, kindFilterList:
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return wrong()
		}
		for i, item := range list {
			if aerr := checkListItem(fmt.Sprintf("%s.%d", name, i), kind, item); aerr != nil {
				return aerr
			}
		}
	}
	return nil
}

// objectItems are the items of the lists of objects: their fields, and how messages
// name them.
var objectItems = map[paramKind]struct {
	fields      map[string]paramKind
	shape, what string
}{
	kindTagList:    {map[string]paramKind{"Key": kindString, "Value": kindString}, "{Key, Value}", "a tag (Key, Value)"},
	kindFilterList: {map[string]paramKind{"Name": kindString, "Values": kindStringList}, "{Name, Values}", "a filter (Name, Values)"},
}

// checkListItem checks the item name (e.g. Filters.0) of a list of the kind.
func checkListItem(name string, list paramKind, raw json.RawMessage) *apiError {
	if list == kindStringList {
		return checkJSONKind(name, kindString, raw)
	}
	item := objectItems[list]
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return errorf(codeInvalidParameter, "The parameter `%s` must be a %s object.", name, item.shape)
	}
	for _, key := range sortedKeys(fields) {
		kind, known := item.fields[key]
		if !known {
			return errorf(codeUnknownParameter, "The parameter `%s.%s` is not a field of %s.", name, key, item.what)
		}
		if aerr := checkJSONKind(name+"."+key, kind, fields[key]); aerr != nil {
			return aerr
		}
	}
	return nil
}

// queryToJSON turns GET parameters, flattened the way the SDKs flatten them
// (AddressIds.0, Filters.0.Name, Filters.0.Values.0), into the equivalent JSON body, so
// that both transports share one decoder.
func queryToJSON(action string, rawQuery string) ([]byte, *apiError) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, errorf(codeInvalidParameter, "The query string is not valid: %v.", err)
	}
	return valuesToJSON(action, values)
}

// valuesToJSON is queryToJSON for parameters already parsed (a GET query or a v1 form).
func valuesToJSON(action string, values url.Values) ([]byte, *apiError) {
	spec := actionParams[action]
	top := map[string]any{}
	lists := map[string]map[int]string{}              // AddressIds -> index -> value
	filters := map[int]map[string]any{}               // index -> Name / Values(map[int]string)
	objects := map[string]map[int]map[string]string{} // Tags -> index -> Key / Value
	for _, key := range sortedKeys(values) {
		if len(values[key]) != 1 {
			return nil, errorf(codeInvalidParameter, "The parameter `%s` appears %d times.", key, len(values[key]))
		}
		value := values[key][0]
		parts := strings.Split(key, ".")
		kind, known := spec[parts[0]]
		if !known {
			return nil, errorf(codeUnknownParameter, "The parameter `%s` is not a parameter of %s.", key, action)
		}
		malformed := func() ([]byte, *apiError) {
			return nil, errorf(codeUnknownParameter, "The parameter `%s` does not fit the shape of `%s` (%s).", key, parts[0], kind)
		}
		// A scalar is a plain name; a list item is name.index…
		scalar := kind == kindString || kind == kindBool || kind == kindInt64 || kind == kindUint64
		if scalar != (len(parts) == 1) {
			return malformed()
		}
		var index int
		if !scalar {
			var ok bool
			if index, ok = parseIndex(parts[1]); !ok {
				return malformed()
			}
		}
		switch kind {
		case kindString:
			top[key] = value
		case kindBool:
			b, err := strconv.ParseBool(strings.ToLower(value))
			if err != nil {
				return nil, errorf(codeInvalidParameter, "The parameter `%s` must be true or false.", key)
			}
			top[key] = b
		case kindInt64, kindUint64:
			var err error
			if kind == kindInt64 {
				_, err = strconv.ParseInt(value, 10, 64)
			} else {
				_, err = strconv.ParseUint(value, 10, 64)
			}
			if err != nil {
				return nil, errorf(codeInvalidParameter, "The parameter `%s` must be %s.", key, kind)
			}
			top[key] = json.Number(value)
		case kindStringList:
			if len(parts) != 2 {
				return malformed()
			}
			if lists[parts[0]] == nil {
				lists[parts[0]] = map[int]string{}
			}
			lists[parts[0]][index] = value
		case kindTagList:
			if len(parts) != 3 || (parts[2] != "Key" && parts[2] != "Value") {
				return malformed()
			}
			if objects[parts[0]] == nil {
				objects[parts[0]] = map[int]map[string]string{}
			}
			if objects[parts[0]][index] == nil {
				objects[parts[0]][index] = map[string]string{}
			}
			objects[parts[0]][index][parts[2]] = value
		case kindFilterList:
			if len(parts) != 3 && len(parts) != 4 {
				return malformed()
			}
			if filters[index] == nil {
				filters[index] = map[string]any{}
			}
			switch {
			case len(parts) == 3 && parts[2] == "Name":
				filters[index]["Name"] = value
			case len(parts) == 4 && parts[2] == "Values":
				valueIndex, ok := parseIndex(parts[3])
				if !ok {
					return malformed()
				}
				vs, _ := filters[index]["Values"].(map[int]string)
				if vs == nil {
					vs = map[int]string{}
					filters[index]["Values"] = vs
				}
				vs[valueIndex] = value
			default:
				return malformed()
			}
		}
	}
	for name, items := range lists {
		list, ok := denseList(items)
		if !ok {
			return nil, notNumbered(name)
		}
		top[name] = list
	}
	for name, items := range objects {
		list, ok := denseList(items)
		if !ok {
			return nil, notNumbered(name)
		}
		top[name] = list
	}
	if len(filters) > 0 {
		list, ok := denseList(filters)
		if !ok {
			return nil, notNumbered("Filters")
		}
		for index, f := range list {
			if vs, ok := f["Values"].(map[int]string); ok {
				dense, ok := denseList(vs)
				if !ok {
					return nil, notNumbered(fmt.Sprintf("Filters.%d.Values", index))
				}
				f["Values"] = dense
			}
		}
		top["Filters"] = list
	}
	b, err := json.Marshal(top)
	if err != nil {
		return nil, errorf(codeInvalidParameter, "The query parameters could not be decoded: %v.", err)
	}
	return b, nil
}

func notNumbered(name string) *apiError {
	return errorf(codeInvalidParameter, "The parameter `%s` must be numbered 0, 1, 2… without gaps.", name)
}

// parseIndex reads a list index as the SDKs write it: a plain decimal, no sign or padding.
func parseIndex(s string) (int, bool) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || strconv.Itoa(i) != s {
		return 0, false
	}
	return i, true
}

// denseList is the items in index order, unless the indexes leave a gap.
func denseList[T any](items map[int]T) ([]T, bool) {
	out := make([]T, len(items))
	for i, v := range items {
		if i >= len(items) {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// actionCall runs one decoded request against the world.
type actionCall func(c *actionContext) (any, *apiError)

// actionDecoders decode the parameters of each action (a JSON object) into its request
// struct, and return the call of its handler on them.
var actionDecoders = map[string]func(action string, body []byte) (actionCall, *apiError){
	"AssociateAddress":          decodeFor((*actionContext).associateAddress),
	"DisassociateAddress":       decodeFor((*actionContext).disassociateAddress),
	"DescribeAddresses":         decodeFor((*actionContext).describeAddresses),
	"DescribeTaskResult":        decodeFor((*actionContext).describeTaskResult),
	"DescribeAddressQuota":      decodeFor((*actionContext).describeAddressQuota),
	"DescribeNetworkInterfaces": decodeFor((*actionContext).describeNetworkInterfaces),
	"ReturnNormalAddresses":     decodeFor((*actionContext).returnNormalAddresses),
	"DescribeInstances":         decodeFor((*actionContext).describeInstances),
	"AssumeRole":                decodeFor((*actionContext).assumeRole),
	"AssumeRoleWithWebIdentity": decodeFor((*actionContext).assumeRoleWithWebIdentity),
	"GetCallerIdentity":         decodeFor((*actionContext).getCallerIdentity),
}

// decodeFor is the decoder of an action whose handler takes a *Request.
func decodeFor[Request any](handler func(*actionContext, *Request) (any, *apiError)) func(string, []byte) (actionCall, *apiError) {
	return func(action string, body []byte) (actionCall, *apiError) {
		var req Request
		if aerr := decodeJSONParams(action, emptyAsNoParams(body), &req); aerr != nil {
			return nil, aerr
		}
		return func(c *actionContext) (any, *apiError) { return handler(c, &req) }, nil
	}
}

// decodeParams decodes the parameters of a known action from a JSON object.
func decodeParams(action string, body []byte) (actionCall, *apiError) {
	decode, ok := actionDecoders[action]
	if !ok {
		return nil, errorf(codeInvalidAction, "The action %q does not exist.", action)
	}
	return decode(action, body)
}

// emptyAsNoParams reads an empty POST body as "no parameters".
func emptyAsNoParams(body []byte) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte("{}")
	}
	return body
}

func isJSONNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func jsonProblem(err error) string {
	if err == nil {
		return "got null"
	}
	return err.Error()
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
