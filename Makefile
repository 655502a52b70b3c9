# Each target does its whole set-up on a fresh machine (Node 24, dependencies, build); see README.
.PHONY: demo test bench setup
demo:
	@scripts/dev.sh demo $(ARGS)
test:
	@scripts/dev.sh test
bench:
	@scripts/dev.sh bench $(ARGS)
setup:
	@scripts/dev.sh setup
