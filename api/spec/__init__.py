"""The API's contract as code: pydantic models of every JSON body the service reads or
writes, a registry of operations declared on the views, and the OpenAPI document generated
from both (api/openapi.py serves it). Nothing here is written twice: a request model is what
the view validates with, a response model is what the contract tests check replies against."""
