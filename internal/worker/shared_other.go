//go:build !linux

package worker

import "errors"

func newSharedRegion(int) (*sharedRegion, error) {
	return nil, errors.New("shared regions need Linux")
}

func (r *sharedRegion) release()      {}
func (r *sharedRegion) trim(int, int) {}

func mapSharedRequests(int, int) ([]byte, error) {
	return nil, errors.New("shared regions need Linux")
}
