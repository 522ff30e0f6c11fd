// Generated from the response types (OpEndpointData, PageInfo, Foot) by response-schemas.spec.ts: do not edit.
// Regenerate: OP_UPDATE_SCHEMAS=1 npx jest libs/contracts/src/lib/response-schemas.spec.ts

/** JSON Schema (2020-12, as OpenAPI 3.1 takes it) of each response type, keyed by type name; refs point at `#/components/schemas/`. */
export const OP_RESPONSE_SCHEMAS: Readonly<Record<string, object>> = {
  "AuditAction": {
    "type": "string",
    "enum": [
      "chatMessageList",
      "chatSearch",
      "chatMessageSearch",
      "messageMarkAdd",
      "messageMarkRemove",
      "messageFavoriteAdd",
      "messageFavoriteRemove",
      "chatExport",
      "customerErase",
      "auditExport"
    ]
  },
  "AuditListData": {
    "type": "object",
    "properties": {
      "records": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/AuditRecord"
        }
      }
    },
    "required": [
      "records"
    ],
    "additionalProperties": false
  },
  "AuditRecord": {
    "anyOf": [
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "chatMessageList"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "chatId": {
                "type": "string"
              },
              "pageNum": {
                "type": "integer"
              },
              "pageSize": {
                "type": "integer"
              },
              "aroundMessageId": {
                "type": "string"
              }
            },
            "required": [
              "chatId",
              "pageNum",
              "pageSize"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "chatSearch"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "$ref": "#/components/schemas/ChatSearchFilters"
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "chatMessageSearch"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "chatId": {
                "type": "string"
              },
              "keyword": {
                "type": "string"
              },
              "pageNum": {
                "type": "integer"
              },
              "pageSize": {
                "type": "integer"
              }
            },
            "required": [
              "chatId",
              "keyword",
              "pageNum",
              "pageSize"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "messageMarkAdd"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "chatId": {
                "type": "string"
              },
              "messageId": {
                "type": "string"
              },
              "mark": {
                "type": "string"
              }
            },
            "required": [
              "chatId",
              "messageId",
              "mark"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "messageMarkRemove"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "chatId": {
                "type": "string"
              },
              "messageId": {
                "type": "string"
              },
              "mark": {
                "type": "string"
              }
            },
            "required": [
              "chatId",
              "messageId",
              "mark"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "messageFavoriteAdd"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "chatId": {
                "type": "string"
              },
              "messageId": {
                "type": "string"
              }
            },
            "required": [
              "chatId",
              "messageId"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "messageFavoriteRemove"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "chatId": {
                "type": "string"
              },
              "messageId": {
                "type": "string"
              }
            },
            "required": [
              "chatId",
              "messageId"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "chatExport"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "chatId": {
                "type": "string"
              },
              "format": {
                "$ref": "#/components/schemas/ExportFormat"
              }
            },
            "required": [
              "chatId",
              "format"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "customerErase"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "customerIdSha256": {
                "type": "string"
              },
              "chats": {
                "type": "integer"
              },
              "messages": {
                "type": "integer"
              },
              "marks": {
                "type": "integer"
              },
              "favorites": {
                "type": "integer"
              }
            },
            "required": [
              "customerIdSha256",
              "chats",
              "messages",
              "marks",
              "favorites"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      },
      {
        "type": "object",
        "properties": {
          "time": {
            "type": "string"
          },
          "operatorId": {
            "type": "string"
          },
          "clientId": {
            "type": "string"
          },
          "action": {
            "type": "string",
            "const": "auditExport"
          },
          "chatId": {
            "type": [
              "string",
              "null"
            ]
          },
          "target": {
            "type": "object",
            "properties": {
              "from": {
                "type": "string"
              },
              "to": {
                "type": "string"
              },
              "operatorId": {
                "type": "string"
              },
              "action": {
                "$ref": "#/components/schemas/AuditAction"
              }
            },
            "required": [
              "from",
              "to"
            ],
            "additionalProperties": false
          },
          "ip": {
            "type": "string"
          }
        },
        "required": [
          "time",
          "operatorId",
          "clientId",
          "action",
          "chatId",
          "target",
          "ip"
        ],
        "additionalProperties": false
      }
    ]
  },
  "ChatCreateResult": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "created": {
        "type": "boolean"
      },
      "chatId": {
        "type": "string"
      },
      "status": {
        "type": "string"
      },
      "statusCode": {
        "$ref": "#/components/schemas/ChatStatus"
      },
      "customerId": {
        "type": [
          "string",
          "null"
        ]
      },
      "operatorId": {
        "type": [
          "string",
          "null"
        ]
      },
      "createTime": {
        "type": "string"
      },
      "acceptTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "endTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "lastMessageTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "messageCount": {
        "type": "integer"
      }
    },
    "required": [
      "acceptTime",
      "chatId",
      "createTime",
      "created",
      "customerId",
      "endTime",
      "lastMessageTime",
      "messageCount",
      "operatorId",
      "status",
      "statusCode"
    ]
  },
  "ChatInfo": {
    "type": "object",
    "properties": {
      "chatId": {
        "type": "string"
      },
      "status": {
        "type": "string"
      },
      "statusCode": {
        "$ref": "#/components/schemas/ChatStatus"
      },
      "customerId": {
        "type": [
          "string",
          "null"
        ]
      },
      "operatorId": {
        "type": [
          "string",
          "null"
        ]
      },
      "createTime": {
        "type": "string"
      },
      "acceptTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "endTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "lastMessageTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "messageCount": {
        "type": "integer"
      }
    },
    "required": [
      "chatId",
      "status",
      "statusCode",
      "customerId",
      "operatorId",
      "createTime",
      "acceptTime",
      "endTime",
      "lastMessageTime",
      "messageCount"
    ],
    "additionalProperties": false
  },
  "ChatMessage": {
    "type": "object",
    "properties": {
      "userMessageId": {
        "type": "string"
      },
      "hxMsgId": {
        "type": [
          "string",
          "null"
        ]
      },
      "form": {
        "type": [
          "string",
          "null"
        ]
      },
      "to": {
        "type": [
          "string",
          "null"
        ]
      },
      "type": {
        "$ref": "#/components/schemas/MessageType"
      },
      "msg": {
        "type": [
          "string",
          "null"
        ]
      },
      "url": {
        "type": [
          "string",
          "null"
        ]
      },
      "filename": {
        "type": [
          "string",
          "null"
        ]
      },
      "thumb": {
        "type": [
          "string",
          "null"
        ]
      },
      "secret": {
        "type": [
          "string",
          "null"
        ]
      },
      "thumb_secret": {
        "type": [
          "string",
          "null"
        ]
      },
      "length": {
        "anyOf": [
          {
            "type": "integer"
          },
          {
            "type": "null"
          }
        ]
      },
      "file_length": {
        "anyOf": [
          {
            "type": "integer"
          },
          {
            "type": "null"
          }
        ]
      },
      "addr": {
        "type": [
          "string",
          "null"
        ]
      },
      "lat": {
        "type": [
          "number",
          "null"
        ]
      },
      "lng": {
        "type": [
          "number",
          "null"
        ]
      },
      "createTime": {
        "type": "string"
      },
      "getUrl": {
        "type": [
          "string",
          "null"
        ]
      },
      "ext": {
        "type": "object",
        "additionalProperties": {}
      },
      "favorite": {
        "type": "boolean"
      },
      "mark": {
        "type": "array",
        "items": {
          "type": "string"
        }
      }
    },
    "required": [
      "userMessageId",
      "hxMsgId",
      "form",
      "to",
      "type",
      "msg",
      "url",
      "filename",
      "thumb",
      "secret",
      "thumb_secret",
      "length",
      "file_length",
      "addr",
      "lat",
      "lng",
      "createTime",
      "getUrl",
      "ext"
    ],
    "additionalProperties": false
  },
  "ChatMessageListData": {
    "type": "object",
    "properties": {
      "status": {
        "type": "string"
      },
      "msg": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ChatMessage"
        }
      },
      "chatId": {
        "type": "string"
      }
    },
    "required": [
      "status",
      "msg",
      "chatId"
    ],
    "additionalProperties": false
  },
  "ChatMessageSearchData": {
    "type": "object",
    "properties": {
      "chatId": {
        "type": "string"
      },
      "hits": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ChatSearchHit"
        }
      },
      "window": {
        "anyOf": [
          {
            "$ref": "#/components/schemas/SearchWindow"
          },
          {
            "type": "null"
          }
        ]
      }
    },
    "required": [
      "chatId",
      "hits",
      "window"
    ],
    "additionalProperties": false
  },
  "ChatSearchData": {
    "type": "object",
    "properties": {
      "chats": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ChatSearchResult"
        }
      },
      "window": {
        "anyOf": [
          {
            "$ref": "#/components/schemas/SearchWindow"
          },
          {
            "type": "null"
          }
        ]
      },
      "totalCapped": {
        "type": "boolean"
      }
    },
    "required": [
      "chats",
      "window",
      "totalCapped"
    ],
    "additionalProperties": false
  },
  "ChatSearchFilters": {
    "type": "object",
    "properties": {
      "status": {
        "type": "array",
        "items": {
          "type": "number"
        }
      },
      "customerId": {
        "type": "string"
      },
      "operatorId": {
        "type": "string"
      },
      "chatId": {
        "type": "string"
      },
      "createdFrom": {
        "type": "string"
      },
      "createdTo": {
        "type": "string"
      },
      "lastMessageFrom": {
        "type": "string"
      },
      "lastMessageTo": {
        "type": "string"
      },
      "mark": {
        "type": "string"
      },
      "keyword": {
        "type": "string"
      },
      "messageTimeFrom": {
        "type": "string"
      },
      "messageTimeTo": {
        "type": "string"
      },
      "sort": {
        "$ref": "#/components/schemas/ChatSearchSort"
      }
    },
    "additionalProperties": false
  },
  "ChatSearchHit": {
    "type": "object",
    "properties": {
      "userMessageId": {
        "type": "string"
      },
      "createTime": {
        "type": "string"
      },
      "snippet": {
        "type": "string"
      },
      "offsets": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "integer"
          },
          "minItems": 2,
          "maxItems": 2
        }
      }
    },
    "required": [
      "userMessageId",
      "createTime",
      "snippet",
      "offsets"
    ],
    "additionalProperties": false
  },
  "ChatSearchResult": {
    "type": "object",
    "properties": {
      "chatId": {
        "type": "string"
      },
      "status": {
        "type": "string"
      },
      "statusCode": {
        "$ref": "#/components/schemas/ChatStatus"
      },
      "customerId": {
        "type": [
          "string",
          "null"
        ]
      },
      "operatorId": {
        "type": [
          "string",
          "null"
        ]
      },
      "createTime": {
        "type": "string"
      },
      "acceptTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "endTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "lastMessageTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "messageCount": {
        "type": "integer"
      },
      "hits": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/ChatSearchHit"
        }
      }
    },
    "required": [
      "acceptTime",
      "chatId",
      "createTime",
      "customerId",
      "endTime",
      "hits",
      "lastMessageTime",
      "messageCount",
      "operatorId",
      "status",
      "statusCode"
    ],
    "additionalProperties": false
  },
  "ChatSearchSort": {
    "type": "string",
    "enum": [
      "lastMessageTime",
      "createTime"
    ]
  },
  "ChatStatus": {
    "type": "number",
    "enum": [
      1,
      3,
      5,
      6,
      30
    ]
  },
  "CustomerEraseData": {
    "type": "object",
    "properties": {
      "customerId": {
        "type": "string"
      },
      "chats": {
        "type": "integer"
      },
      "messages": {
        "type": "integer"
      },
      "marks": {
        "type": "integer"
      },
      "favorites": {
        "type": "integer"
      }
    },
    "required": [
      "customerId",
      "chats",
      "messages",
      "marks",
      "favorites"
    ],
    "additionalProperties": false
  },
  "CustomerListData": {
    "type": "object",
    "properties": {
      "customers": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/CustomerSummary"
        }
      }
    },
    "required": [
      "customers"
    ],
    "additionalProperties": false
  },
  "CustomerSummary": {
    "type": "object",
    "properties": {
      "customerId": {
        "type": "string"
      },
      "chats": {
        "type": "integer"
      },
      "lastMessageTime": {
        "type": [
          "string",
          "null"
        ]
      }
    },
    "required": [
      "customerId",
      "chats",
      "lastMessageTime"
    ],
    "additionalProperties": false
  },
  "EasemobGap": {
    "type": "object",
    "properties": {
      "hour": {
        "type": "string"
      },
      "easemobHour": {
        "type": "string"
      },
      "appkey": {
        "type": "string"
      },
      "state": {
        "$ref": "#/components/schemas/EasemobGapState"
      },
      "lastRunTime": {
        "type": [
          "string",
          "null"
        ]
      },
      "reason": {
        "type": [
          "string",
          "null"
        ]
      }
    },
    "required": [
      "hour",
      "easemobHour",
      "appkey",
      "state",
      "lastRunTime",
      "reason"
    ],
    "additionalProperties": false
  },
  "EasemobGapState": {
    "type": "string",
    "enum": [
      "missing",
      "failed",
      "partial",
      "running",
      "early"
    ]
  },
  "EasemobGapsData": {
    "type": "object",
    "properties": {
      "tenantId": {
        "type": "string"
      },
      "from": {
        "type": "string"
      },
      "to": {
        "type": "string"
      },
      "hours": {
        "type": "integer"
      },
      "appkeys": {
        "type": "array",
        "items": {
          "type": "string"
        }
      },
      "checked": {
        "type": "integer"
      },
      "gaps": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/EasemobGap"
        }
      }
    },
    "required": [
      "tenantId",
      "from",
      "to",
      "hours",
      "appkeys",
      "checked",
      "gaps"
    ],
    "additionalProperties": false
  },
  "ExportFormat": {
    "type": "string",
    "enum": [
      "jsonl",
      "csv",
      "html"
    ]
  },
  "FavoriteItem": {
    "type": "object",
    "properties": {
      "favoriteTime": {
        "type": "string"
      },
      "message": {
        "$ref": "#/components/schemas/ChatMessage"
      },
      "chat": {
        "$ref": "#/components/schemas/ChatInfo"
      }
    },
    "required": [
      "favoriteTime",
      "message",
      "chat"
    ],
    "additionalProperties": false
  },
  "FavoriteListData": {
    "type": "object",
    "properties": {
      "favorites": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/FavoriteItem"
        }
      }
    },
    "required": [
      "favorites"
    ],
    "additionalProperties": false
  },
  "Foot": {
    "type": "object",
    "properties": {
      "operationTime": {
        "type": "string"
      },
      "servicePhone": {
        "type": "string"
      },
      "host": {
        "type": "string"
      }
    },
    "required": [
      "operationTime",
      "servicePhone",
      "host"
    ],
    "additionalProperties": false
  },
  "MarkListData": {
    "type": "object",
    "properties": {
      "marks": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "mark": {
              "type": "string"
            },
            "count": {
              "type": "integer"
            }
          },
          "required": [
            "mark",
            "count"
          ],
          "additionalProperties": false
        }
      }
    },
    "required": [
      "marks"
    ],
    "additionalProperties": false
  },
  "MessageFavoriteData": {
    "type": "object",
    "properties": {
      "userMessageId": {
        "type": "string"
      },
      "favorite": {
        "type": "boolean"
      }
    },
    "required": [
      "userMessageId",
      "favorite"
    ],
    "additionalProperties": false
  },
  "MessageMarkData": {
    "type": "object",
    "properties": {
      "userMessageId": {
        "type": "string"
      },
      "mark": {
        "type": "array",
        "items": {
          "type": "string"
        }
      }
    },
    "required": [
      "userMessageId",
      "mark"
    ],
    "additionalProperties": false
  },
  "MessageType": {
    "type": "string",
    "enum": [
      "txt",
      "img",
      "audio",
      "video",
      "loc",
      "file",
      "cmd",
      "custom"
    ]
  },
  "OpEndpointData": {
    "type": "object",
    "properties": {
      "chatMessageList": {
        "$ref": "#/components/schemas/ChatMessageListData"
      },
      "chatCreate": {
        "$ref": "#/components/schemas/ChatCreateResult"
      },
      "chatAssign": {
        "$ref": "#/components/schemas/ChatInfo"
      },
      "chatStatusUpdate": {
        "$ref": "#/components/schemas/ChatInfo"
      },
      "chatDetail": {
        "$ref": "#/components/schemas/ChatInfo"
      },
      "chatSearch": {
        "$ref": "#/components/schemas/ChatSearchData"
      },
      "chatMessageSearch": {
        "$ref": "#/components/schemas/ChatMessageSearchData"
      },
      "messageMarkAdd": {
        "$ref": "#/components/schemas/MessageMarkData"
      },
      "messageMarkRemove": {
        "$ref": "#/components/schemas/MessageMarkData"
      },
      "markList": {
        "$ref": "#/components/schemas/MarkListData"
      },
      "messageFavoriteAdd": {
        "$ref": "#/components/schemas/MessageFavoriteData"
      },
      "messageFavoriteRemove": {
        "$ref": "#/components/schemas/MessageFavoriteData"
      },
      "favoriteList": {
        "$ref": "#/components/schemas/FavoriteListData"
      },
      "auditList": {
        "$ref": "#/components/schemas/AuditListData"
      },
      "operatorLogin": {
        "$ref": "#/components/schemas/OperatorLoginResult"
      },
      "operatorLogout": {
        "type": "null"
      },
      "operatorList": {
        "$ref": "#/components/schemas/OperatorListData"
      },
      "customerList": {
        "$ref": "#/components/schemas/CustomerListData"
      },
      "customerErase": {
        "$ref": "#/components/schemas/CustomerEraseData"
      },
      "easemobGaps": {
        "$ref": "#/components/schemas/EasemobGapsData"
      }
    },
    "required": [
      "chatMessageList",
      "chatCreate",
      "chatAssign",
      "chatStatusUpdate",
      "chatDetail",
      "chatSearch",
      "chatMessageSearch",
      "messageMarkAdd",
      "messageMarkRemove",
      "markList",
      "messageFavoriteAdd",
      "messageFavoriteRemove",
      "favoriteList",
      "auditList",
      "operatorLogin",
      "operatorLogout",
      "operatorList",
      "customerList",
      "customerErase",
      "easemobGaps"
    ],
    "additionalProperties": false
  },
  "OperatorListData": {
    "type": "object",
    "properties": {
      "operators": {
        "type": "array",
        "items": {
          "$ref": "#/components/schemas/OperatorSummary"
        }
      }
    },
    "required": [
      "operators"
    ],
    "additionalProperties": false
  },
  "OperatorLoginResult": {
    "type": "object",
    "properties": {
      "token": {
        "type": "string"
      },
      "expiresAt": {
        "type": "string"
      },
      "operator": {
        "$ref": "#/components/schemas/OperatorSummary"
      }
    },
    "required": [
      "token",
      "expiresAt",
      "operator"
    ],
    "additionalProperties": false
  },
  "OperatorRole": {
    "type": "string",
    "enum": [
      "agent",
      "admin"
    ]
  },
  "OperatorSummary": {
    "type": "object",
    "properties": {
      "operatorId": {
        "type": "string"
      },
      "username": {
        "type": "string"
      },
      "role": {
        "$ref": "#/components/schemas/OperatorRole"
      }
    },
    "required": [
      "operatorId",
      "username",
      "role"
    ],
    "additionalProperties": false
  },
  "PageInfo": {
    "type": "object",
    "properties": {
      "total": {
        "type": "integer"
      },
      "page": {
        "type": "integer"
      },
      "pageSize": {
        "type": "integer"
      },
      "count": {
        "type": "integer"
      },
      "next": {
        "type": "boolean"
      },
      "startIndex": {
        "type": "integer"
      }
    },
    "required": [
      "total",
      "page",
      "pageSize",
      "count",
      "next",
      "startIndex"
    ],
    "additionalProperties": false
  },
  "SearchWindow": {
    "type": "object",
    "properties": {
      "from": {
        "type": [
          "string",
          "null"
        ]
      },
      "to": {
        "type": [
          "string",
          "null"
        ]
      }
    },
    "required": [
      "from",
      "to"
    ],
    "additionalProperties": false
  }
};
