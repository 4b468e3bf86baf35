// generated, do not edit: `npm run build:contracts` writes this from DataNetRegistry.sol
// (solc 0.8.30+commit.73712a01.Emscripten.clang, {"optimizer":{"enabled":true,"runs":200},"evmVersion":"cancun"}, @openzeppelin/contracts 5.7.0)

export const DataNetRegistryAbi = [
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster_",
        "type": "address"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "constructor"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      }
    ],
    "name": "AlreadyChallenged",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "AlreadyTallied",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "reason",
        "type": "string"
      }
    ],
    "name": "BadParams",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "closedAt",
        "type": "uint64"
      }
    ],
    "name": "ChallengeWindowClosed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      }
    ],
    "name": "DataNetExists",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      }
    ],
    "name": "DidNotApprove",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "DoubleVote",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "EmptyRoot",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "claimed",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "recovered",
        "type": "address"
      }
    ],
    "name": "ForgedSignature",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "active",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "requested",
        "type": "uint256"
      }
    ],
    "name": "InsufficientStake",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "InvalidShortString",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "caller",
        "type": "address"
      }
    ],
    "name": "NotDataNetOwner",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      }
    ],
    "name": "NotInVersion",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "caller",
        "type": "address"
      }
    ],
    "name": "NotOwnerOrPoster",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      }
    ],
    "name": "NotValidator",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NothingToWithdraw",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "owner",
        "type": "address"
      }
    ],
    "name": "OwnableInvalidOwner",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      }
    ],
    "name": "OwnableUnauthorizedAccount",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ReentrancyGuardReentrantCall",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "active",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "minStake",
        "type": "uint256"
      }
    ],
    "name": "StakeBelowMinimum",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "expected",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "got",
        "type": "uint64"
      }
    ],
    "name": "StaleVersion",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "str",
        "type": "string"
      }
    ],
    "name": "StringTooLong",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "TransferFailed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "unbondAt",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "now_",
        "type": "uint64"
      }
    ],
    "name": "UnbondingNotOver",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      }
    ],
    "name": "UnknownDataNet",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "UnknownRound",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      }
    ],
    "name": "UnknownVersion",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "deadline",
        "type": "uint64"
      }
    ],
    "name": "VotingClosed",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ZeroAddress",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ZeroAmount",
    "type": "error"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "voter",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      }
    ],
    "name": "BallotCounted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "challenger",
        "type": "address"
      }
    ],
    "name": "ChallengeUpheld",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "owner",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "string",
        "name": "name",
        "type": "string"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "metadataHash",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "enum DataNetRegistry.Policy",
            "name": "policy",
            "type": "uint8"
          },
          {
            "internalType": "uint16",
            "name": "quorum",
            "type": "uint16"
          },
          {
            "internalType": "uint32",
            "name": "slashPpm",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "votingPeriod",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "challengeWindow",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "unbondingDelay",
            "type": "uint64"
          },
          {
            "internalType": "uint256",
            "name": "minStake",
            "type": "uint256"
          }
        ],
        "indexed": false,
        "internalType": "struct DataNetRegistry.Params",
        "name": "params",
        "type": "tuple"
      }
    ],
    "name": "DataNetCreated",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [],
    "name": "EIP712DomainChanged",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousOwner",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "OwnershipTransferred",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousPoster",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "PosterChanged",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "docsRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "deadline",
        "type": "uint64"
      }
    ],
    "name": "RoundOpened",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "docId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "Slashed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "active",
        "type": "uint256"
      }
    ],
    "name": "Staked",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "approved",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "rejected",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "ballots",
        "type": "uint32"
      }
    ],
    "name": "TallySubmitted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "TreasuryWithdrawn",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "unbondAt",
        "type": "uint64"
      }
    ],
    "name": "UnstakeRequested",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "root",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      }
    ],
    "name": "VersionPublished",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "datanet",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "validator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "Withdrawn",
    "type": "event"
  },
  {
    "inputs": [],
    "name": "BALLOT_TYPEHASH",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "PPM",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "",
        "type": "uint32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      }
    ],
    "name": "ballotDigest",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "address",
        "name": "voter",
        "type": "address"
      }
    ],
    "name": "ballotOf",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "docId",
            "type": "bytes32"
          },
          {
            "internalType": "bytes32",
            "name": "contentHash",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "contributor",
            "type": "address"
          },
          {
            "internalType": "uint64",
            "name": "version",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "round",
            "type": "uint64"
          },
          {
            "internalType": "bytes32[]",
            "name": "proof",
            "type": "bytes32[]"
          }
        ],
        "internalType": "struct DataNetRegistry.ChallengedDoc",
        "name": "doc",
        "type": "tuple"
      },
      {
        "internalType": "address[]",
        "name": "approvers",
        "type": "address[]"
      },
      {
        "internalType": "bytes32[][]",
        "name": "voteProofs",
        "type": "bytes32[][]"
      }
    ],
    "name": "challenge",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "name": "challenged",
    "outputs": [
      {
        "internalType": "bool",
        "name": "",
        "type": "bool"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "name",
        "type": "string"
      },
      {
        "internalType": "address",
        "name": "owner_",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "metadataHash",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "enum DataNetRegistry.Policy",
            "name": "policy",
            "type": "uint8"
          },
          {
            "internalType": "uint16",
            "name": "quorum",
            "type": "uint16"
          },
          {
            "internalType": "uint32",
            "name": "slashPpm",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "votingPeriod",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "challengeWindow",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "unbondingDelay",
            "type": "uint64"
          },
          {
            "internalType": "uint256",
            "name": "minStake",
            "type": "uint256"
          }
        ],
        "internalType": "struct DataNetRegistry.Params",
        "name": "p",
        "type": "tuple"
      }
    ],
    "name": "createDataNet",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "name": "dataNet",
    "outputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "owner",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "metadataHash",
            "type": "bytes32"
          },
          {
            "components": [
              {
                "internalType": "enum DataNetRegistry.Policy",
                "name": "policy",
                "type": "uint8"
              },
              {
                "internalType": "uint16",
                "name": "quorum",
                "type": "uint16"
              },
              {
                "internalType": "uint32",
                "name": "slashPpm",
                "type": "uint32"
              },
              {
                "internalType": "uint64",
                "name": "votingPeriod",
                "type": "uint64"
              },
              {
                "internalType": "uint64",
                "name": "challengeWindow",
                "type": "uint64"
              },
              {
                "internalType": "uint64",
                "name": "unbondingDelay",
                "type": "uint64"
              },
              {
                "internalType": "uint256",
                "name": "minStake",
                "type": "uint256"
              }
            ],
            "internalType": "struct DataNetRegistry.Params",
            "name": "params",
            "type": "tuple"
          },
          {
            "internalType": "uint64",
            "name": "rounds",
            "type": "uint64"
          },
          {
            "internalType": "uint64",
            "name": "version",
            "type": "uint64"
          },
          {
            "internalType": "uint256",
            "name": "treasury",
            "type": "uint256"
          }
        ],
        "internalType": "struct DataNetRegistry.DataNet",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "eip712Domain",
    "outputs": [
      {
        "internalType": "bytes1",
        "name": "fields",
        "type": "bytes1"
      },
      {
        "internalType": "string",
        "name": "name",
        "type": "string"
      },
      {
        "internalType": "string",
        "name": "version",
        "type": "string"
      },
      {
        "internalType": "uint256",
        "name": "chainId",
        "type": "uint256"
      },
      {
        "internalType": "address",
        "name": "verifyingContract",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "salt",
        "type": "bytes32"
      },
      {
        "internalType": "uint256[]",
        "name": "extensions",
        "type": "uint256[]"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "docsRoot",
        "type": "bytes32"
      },
      {
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      }
    ],
    "name": "openRound",
    "outputs": [
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "owner",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "poster",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "root",
        "type": "bytes32"
      },
      {
        "internalType": "uint32",
        "name": "docCount",
        "type": "uint32"
      }
    ],
    "name": "publishVersion",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "renounceOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "requestUnstake",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      }
    ],
    "name": "roundOf",
    "outputs": [
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "docsRoot",
            "type": "bytes32"
          },
          {
            "internalType": "uint32",
            "name": "docCount",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "deadline",
            "type": "uint64"
          },
          {
            "internalType": "bool",
            "name": "tallied",
            "type": "bool"
          }
        ],
        "internalType": "struct DataNetRegistry.Round",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "setPoster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "name": "stake",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "validator",
        "type": "address"
      }
    ],
    "name": "stakeOf",
    "outputs": [
      {
        "components": [
          {
            "internalType": "uint256",
            "name": "active",
            "type": "uint256"
          },
          {
            "internalType": "uint256",
            "name": "unbonding",
            "type": "uint256"
          },
          {
            "internalType": "uint64",
            "name": "unbondAt",
            "type": "uint64"
          }
        ],
        "internalType": "struct DataNetRegistry.Stake",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "round",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "votesRoot",
        "type": "bytes32"
      },
      {
        "internalType": "uint32",
        "name": "approved",
        "type": "uint32"
      },
      {
        "internalType": "uint32",
        "name": "rejected",
        "type": "uint32"
      },
      {
        "components": [
          {
            "internalType": "address",
            "name": "voter",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "votesRoot",
            "type": "bytes32"
          },
          {
            "internalType": "bytes",
            "name": "signature",
            "type": "bytes"
          }
        ],
        "internalType": "struct DataNetRegistry.Ballot[]",
        "name": "ballots",
        "type": "tuple[]"
      }
    ],
    "name": "submitTally",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "transferOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "uint64",
        "name": "version",
        "type": "uint64"
      }
    ],
    "name": "versionOf",
    "outputs": [
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "root",
            "type": "bytes32"
          },
          {
            "internalType": "uint32",
            "name": "docCount",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "publishedAt",
            "type": "uint64"
          }
        ],
        "internalType": "struct DataNetRegistry.Version",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      }
    ],
    "name": "withdraw",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "id",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "to",
        "type": "address"
      }
    ],
    "name": "withdrawTreasury",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  }
] as const;

export const DataNetRegistryBytecode = '0x610160604052348015610010575f5ffd5b5060405161325638038061325683398101604081905261002f9161027c565b604080518082018252601381527f6c6f72616c65646765722d646174616e65747300000000000000000000000000602080830191909152825180840190935260018352603160f81b908301529033806100a257604051631e4fbdf760e01b81525f60048201526024015b60405180910390fd5b6100ab816101f0565b5060017f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00556100d98261023f565b610120526100e68161023f565b61014052815160208084019190912060e052815190820120610100524660a05261017260e05161010051604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201529081019290925260608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b60805250503060c0526001600160a01b0381166101a25760405163d92e233d60e01b815260040160405180910390fd5b600380546001600160a01b0319166001600160a01b0383169081179091556040515f907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f908290a350610304565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b5f5f829050601f81511115610269578260405163305a27a960e01b815260040161009991906102a9565b8051610274826102de565b179392505050565b5f6020828403121561028c575f5ffd5b81516001600160a01b03811681146102a2575f5ffd5b9392505050565b602081525f82518060208401528060208501604085015e5f604082850101526040601f19601f83011684010191505092915050565b805160208083015191908110156102fe575f198160200360031b1b821691505b50919050565b60805160a05160c05160e051610100516101205161014051612f016103555f395f611b9401525f611b6401525f6121be01525f61219601525f6120f101525f61211b01525f6121450152612f015ff3fe608060405260043610610147575f3560e01c80638e19899e116100b3578063c9cda7031161006d578063c9cda7031461050d578063d31e51731461052c578063d3b6346314610558578063deaaa7cc14610577578063f2fde38b146105aa578063faf83b6e146105c9575f5ffd5b80638e19899e14610435578063971e86b6146104545780639a47ed6c14610473578063a69706ef14610492578063c0d64a87146104b1578063c115efe8146104c4575f5ffd5b8063771c918e11610104578063771c918e1461024f57806379ce7b3414610299578063809597211461038457806384b0196e146103bb5780638d0ed750146103e25780638da5cb5b14610419575f5ffd5b80630d720bbc1461014b5780630ea72a231461017b5780635471c0d6146101a85780636d7f0fb8146101c9578063715018a61461021c57806373bbb71c14610230575b5f5ffd5b348015610156575f5ffd5b50610161620f424081565b60405163ffffffff90911681526020015b60405180910390f35b348015610186575f5ffd5b5061019a6101953660046124b0565b61067c565b604051908152602001610172565b3480156101b3575f5ffd5b506101c76101c23660046124f6565b6106ee565b005b3480156101d4575f5ffd5b5061019a6101e3366004612553565b5f9283526008602090815260408085206001600160401b039490941685529281528284206001600160a01b039290921684525290205490565b348015610227575f5ffd5b506101c7610890565b34801561023b575f5ffd5b506101c761024a36600461258e565b6108a3565b34801561025a575f5ffd5b5061026e6102693660046125a7565b61092d565b604080518251815260208084015190820152918101516001600160401b031690820152606001610172565b3480156102a4575f5ffd5b506103406102b33660046125d1565b604080516080810182525f808252602082018190529181018290526060810191909152505f9182526005602090815260408084206001600160401b03938416855282529283902083516080810185528154815260019091015463ffffffff811692820192909252600160201b820490921692820192909252600160601b90910460ff161515606082015290565b60405161017291908151815260208083015163ffffffff16908201526040808301516001600160401b03169082015260609182015115159181019190915260800190565b34801561038f575f5ffd5b506003546103a3906001600160a01b031681565b6040516001600160a01b039091168152602001610172565b3480156103c6575f5ffd5b506103cf6109ad565b604051610172979695949392919061262d565b3480156103ed575f5ffd5b506104016103fc3660046126c3565b6109ef565b6040516001600160401b039091168152602001610172565b348015610424575f5ffd5b505f546001600160a01b03166103a3565b348015610440575f5ffd5b506101c761044f3660046126f9565b610ba0565b34801561045f575f5ffd5b506101c761046e3660046125a7565b610c9b565b34801561047e575f5ffd5b506101c761048d366004612757565b610d99565b34801561049d575f5ffd5b5061019a6104ac3660046127df565b610f80565b6101c76104bf3660046126f9565b6112ab565b3480156104cf575f5ffd5b506104fd6104de36600461287f565b600960209081525f928352604080842090915290825290205460ff1681565b6040519015158152602001610172565b348015610518575f5ffd5b506101c761052736600461289f565b61134a565b348015610537575f5ffd5b5061054b6105463660046126f9565b6117b7565b6040516101729190612977565b348015610563575f5ffd5b506101c761057236600461287f565b6118d0565b348015610582575f5ffd5b5061019a7fec445df7b606e0ee3237746df7797b54695fcbb371111cf36e034636624b6aea81565b3480156105b5575f5ffd5b506101c76105c436600461258e565b6119fa565b3480156105d4575f5ffd5b5061064b6105e33660046125d1565b60408051606080820183525f8083526020808401829052928401819052948552600682528285206001600160401b03948516865282529382902082519485018352805485526001015463ffffffff811691850191909152600160201b90049091169082015290565b604080518251815260208084015163ffffffff1690820152918101516001600160401b031690820152606001610172565b604080517fec445df7b606e0ee3237746df7797b54695fcbb371111cf36e034636624b6aea60208201529081018490526001600160401b0383166060820152608081018290525f906106e69060a00160405160208183030381529060405280519060200120611a34565b949350505050565b5f6106f885611a60565b905061070381611a9d565b600481015461072390600160401b90046001600160401b03166001612a60565b6001600160401b0316846001600160401b03161461078d57600481015461075b90600160401b90046001600160401b03166001612a60565b60405163487344ab60e11b81526001600160401b03918216600482015290851660248201526044015b60405180910390fd5b826107ab576040516329e7276760e11b815260040160405180910390fd5b6004810180546fffffffffffffffff00000000000000001916600160401b6001600160401b03878116918202929092179092556040805160608101825286815263ffffffff86811660208084018281524287168587019081525f8e8152600684528781208a8252845287902095518655905160019590950180549151959094166bffffffffffffffffffffffff1990911617600160201b949096169390930294909417905581518781529081019290925287917fb17371bdb89a3464e491b66350e27532bc3db99abc966cee7cc72a3701d1a96b910160405180910390a35050505050565b610898611ae2565b6108a15f611b0e565b565b6108ab611ae2565b6001600160a01b0381166108d25760405163d92e233d60e01b815260040160405180910390fd5b6003546040516001600160a01b038084169216907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f905f90a3600380546001600160a01b0319166001600160a01b0392909216919091179055565b61095760405180606001604052805f81526020015f81526020015f6001600160401b031681525090565b505f8281526007602090815260408083206001600160a01b0385168452825291829020825160608101845281548152600182015492810192909252600201546001600160401b0316918101919091525b92915050565b5f6060805f5f5f60606109be611b5d565b6109c6611b8d565b604080515f80825260208201909252600f60f81b9b939a50919850469750309650945092509050565b5f5f6109fa85611a60565b9050610a0581611a9d565b831580610a16575063ffffffff8316155b15610a34576040516329e7276760e11b815260040160405180910390fd5b6004810180545f90610a4e906001600160401b0316612a7f565b91906101000a8154816001600160401b0302191690836001600160401b03160217905591505f816002015f0160079054906101000a90046001600160401b031642610a999190612a60565b6040805160808101825287815263ffffffff80881660208084019182526001600160401b038087168587019081525f606087018181528f8252600585528882208d85168084529552908890209651875593516001969096018054915194511515600160601b0260ff60601b1995909316600160201b026bffffffffffffffffffffffff199092169690951695909517949094179190911692909217905590519192509087907f07e007bf3b01a07072720c401b6b48491e45d6883170fc11c3a7f85717cd05ac90610b8f9089908990879092835263ffffffff9190911660208301526001600160401b0316604082015260600190565b60405180910390a350509392505050565b610ba8611bb8565b610bb181611a60565b505f818152600760209081526040808320338452909152812060018101549091819003610bf157604051630686827b60e51b815260040160405180910390fd5b60028201546001600160401b0316421015610c39576002820154604051631771290d60e31b81526001600160401b039182166004820152429091166024820152604401610784565b5f6001830155610c493382611bd3565b604051818152339084907f04eda370f8b8612fa7266d7ebbd41af9d694e19793fe9d9ff31b3ddbd99b08e19060200160405180910390a35050610c9860015f516020612eac5f395f51905f5255565b50565b610ca3611bb8565b5f610cad83611a60565b80549091506001600160a01b03163314610cdc57604051634376b08160e11b8152336004820152602401610784565b6001600160a01b038216610d035760405163d92e233d60e01b815260040160405180910390fd5b60058101545f819003610d2957604051630686827b60e51b815260040160405180910390fd5b5f6005830155610d398382611bd3565b826001600160a01b0316847f0a65743f526617273ff15f3b2e09ab3826b149f9dfaced07e229b6f2fc7817a283604051610d7591815260200190565b60405180910390a35050610d9560015f516020612eac5f395f51905f5255565b5050565b5f610da388611a60565b9050610dae81611a9d565b5f8881526005602090815260408083206001600160401b03808c1685529252822060018101549092600160201b9091049091169003610e0b57604051634b52109d60e01b81526001600160401b0389166004820152602401610784565b6001810154600160601b900460ff1615610e435760405163029c1db360e51b81526001600160401b0389166004820152602401610784565b6001810154600160201b90046001600160401b0316421115610e9957600181015460405163311a46b160e21b81526001600160401b038a81166004830152600160201b9092049091166024820152604401610784565b861580610ea4575082155b15610ec2576040516329e7276760e11b815260040160405180910390fd5b5f5b83811015610f0357610efb8a848b888886818110610ee457610ee4612aa9565b9050602002810190610ef69190612abd565b611c48565b600101610ec4565b5060018101805460ff60601b1916600160601b1790556040805188815263ffffffff8881166020830152878116828401528516606082015290516001600160401b038a16918b917f4902a1abdcb66ecb4ad0247c37455345e78a8c2197ce51dfd0c84ea11b47d8f2916080908290030190a3505050505050505050565b5f6001600160a01b038416610fa85760405163d92e233d60e01b815260040160405180910390fd5b336001600160a01b03851614801590610fcc57506003546001600160a01b03163314155b15610fec5760405163693c71f360e11b8152336004820152602401610784565b8585604051610ffc929190612adb565b60408051918290039091205f818152600460205291909120549091506001600160a01b03161561104257604051639e617dab60e01b815260048101829052602401610784565b84158061104f5750604085115b1561108b576040516387a33b2760e01b815260206004820152600b60248201526a0dcc2daca40d8cadccee8d60ab1b6044820152606401610784565b620f424061109f6060840160408501612aea565b63ffffffff1611156110e5576040516387a33b2760e01b815260206004820152600e60248201526d39b630b9b4283836901f1018b29b60911b6044820152606401610784565b6110f56040830160208401612b14565b61ffff165f03611133576040516387a33b2760e01b8152602060048201526008602482015267071756f72756d20360c41b6044820152606401610784565b5f6111416020840184612b3b565b600181111561115257611152612943565b148015611173575061116a6040830160208401612b14565b61ffff16600114155b156111c1576040516387a33b2760e01b815260206004820152601d60248201527f6f776e657220706f6c6963792071756f72756d206d75737420626520310000006044820152606401610784565b6111d16080830160608401612b56565b6001600160401b03165f0361121a576040516387a33b2760e01b815260206004820152600e60248201526d0766f74696e67506572696f6420360941b6044820152606401610784565b5f81815260046020526040902080546001600160a01b0319166001600160a01b0386161781556001810184905582600282016112568282612b95565b905050846001600160a01b0316827f3bea4a952012f253ac532516d39a5e83771478ca1cdb167a3e5120db959db014898988886040516112999493929190612ce6565b60405180910390a35095945050505050565b6112b481611a60565b50345f036112d557604051631f2a200560e01b815260040160405180910390fd5b5f8181526007602090815260408083203384529091528120805490913491839190611301908490612dc8565b90915550508054604080513481526020810192909252339184917fa1fdccfe567643a44425efdd141171e8d992854a81e5c819c1432b0de47c9a11910160405180910390a35050565b5f61135487611a60565b905061135f81611a9d565b5f8781526006602052604081208161137d60808a0160608b01612b56565b6001600160401b03166001600160401b031681526020019081526020015f2090508060010160049054906101000a90046001600160401b03166001600160401b03165f036113fa576113d56080880160608901612b56565b604051630c0872bf60e31b81526001600160401b039091166004820152602401610784565b600282015460018201545f9161142b916001600160401b03600160781b909204821691600160201b90910416612a60565b9050806001600160401b031642111561147b5761144e6080890160608a01612b56565b604051631c8566b160e01b81526001600160401b0391821660048201529082166024820152604401610784565b5f8981526009602090815260408083208b35845290915290205460ff16156114b95760405163c4da3f0160e01b815288356004820152602401610784565b5f883560208a01356114d160608c0160408d0161258e565b6040805160208101949094528301919091526001600160a01b0316606082015260800160408051601f198184030181528282528051602091820120908301520160408051601f198184030181529190528051602090910120905061154361153b60a08b018b612ddb565b855484611fb2565b61158457883561155960808b0160608c01612b56565b60405163829e25a360e01b815260048101929092526001600160401b03166024820152604401610784565b5f8a81526009602090815260408083208c358085529252909120805460ff191660011790558a7f4e38e5fee33692cdcda27af653a7fa54c65e31303dd0c8acc465177acb177e9a6115db60808d0160608e01612b56565b604080516001600160401b0390921682523360208301520160405180910390a3604080518a3560208201526001918101919091525f9060600160408051601f198184030181528282528051602091820120908301520160408051601f19818403018152919052805160209091012090505f5b888110156117a9575f60085f8e81526020019081526020015f205f8d608001602081019061167b9190612b56565b6001600160401b03166001600160401b031681526020019081526020015f205f8c8c858181106116ad576116ad612aa9565b90506020020160208101906116c2919061258e565b6001600160a01b0316815260208101919091526040015f2054905080158061171557506117138989848181106116fa576116fa612aa9565b905060200281019061170c9190612ddb565b8386611fb2565b155b1561176d578a8a8381811061172c5761172c612aa9565b9050602002016020810190611741919061258e565b6040516333fceafb60e21b81526001600160a01b0390911660048201528c356024820152604401610784565b6117a08d888d8d8681811061178457611784612aa9565b9050602002016020810190611799919061258e565b8f35611fc9565b5060010161164d565b505050505050505050505050565b6117bf612422565b6117c882611a60565b6040805160c08101825282546001600160a01b031681526001808401546020830152825160e08101845260028501805493959486019391929091839160ff9091169081111561181957611819612943565b600181111561182a5761182a612943565b8152815461ffff61010082041660208084019190915263ffffffff63010000008304166040808501919091526001600160401b0367010000000000000084048116606080870191909152600160781b850482166080870152600160b81b909404811660a086015260019095015460c090940193909352938552600486015480841694860194909452600160401b9093049091169083015260059092015491015292915050565b5f6118da83611a60565b5f848152600760209081526040808320338452909152812091925083900361191557604051631f2a200560e01b815260040160405180910390fd5b80548311156119445780546040516322df051360e11b8152600481019190915260248101849052604401610784565b82815f015f8282546119569190612e20565b9250508190555082816001015f8282546119709190612dc8565b9091555050600282015461199490600160b81b90046001600160401b031642612a60565b60028201805467ffffffffffffffff19166001600160401b03929092169182179055604080518581526020810192909252339186917feaea210710c2357758256e598c88546f8c7a691fffc00c69efb0cdbb874a60ac910160405180910390a350505050565b611a02611ae2565b6001600160a01b038116611a2b57604051631e4fbdf760e01b81525f6004820152602401610784565b610c9881611b0e565b5f6109a7611a406120e5565b8360405161190160f01b8152600281019290925260228201526042902090565b5f81815260046020526040902080546001600160a01b0316611a98576040516312c3fbb160e01b815260048101839052602401610784565b919050565b80546001600160a01b03163314801590611ac257506003546001600160a01b03163314155b15610c985760405163693c71f360e11b8152336004820152602401610784565b5f546001600160a01b031633146108a15760405163118cdaa760e01b8152336004820152602401610784565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b6060611b887f000000000000000000000000000000000000000000000000000000000000000061220e565b905090565b6060611b887f000000000000000000000000000000000000000000000000000000000000000061220e565b611bc061224b565b60025f516020612eac5f395f51905f5255565b5f826001600160a01b0316826040515f6040518083038185875af1925050503d805f8114611c1c576040519150601f19603f3d011682016040523d82523d5f602084013e611c21565b606091505b5050905080611c43576040516312171d8360e31b815260040160405180910390fd5b505050565b5f5f611ca2611c5c8786866020013561067c565b611c696040860186612e33565b8080601f0160208091040260200160405190810160405280939291908181526020018383808284375f9201919091525061227a92505050565b5090925090505f816003811115611cbb57611cbb612943565b141580611ce65750611cd0602084018461258e565b6001600160a01b0316826001600160a01b031614155b15611d2557611cf8602084018461258e565b6040516302f7828360e41b81526001600160a01b0391821660048201529083166024820152604401610784565b5f600286015460ff166001811115611d3f57611d3f612943565b03611da15784546001600160a01b0316611d5c602085018561258e565b6001600160a01b031614611d9c57611d77602084018461258e565b604051633b4f6e2b60e21b81526001600160a01b039091166004820152602401610784565b611e48565b5f8681526007602090815260408220908290611dbf9087018761258e565b6001600160a01b03166001600160a01b031681526020019081526020015f205f01549050805f03611df757611d77602085018561258e565b6003860154811015611e4657611e10602085018561258e565b6003870154604051638c05da3760e01b81526001600160a01b039092166004830152602482018390526044820152606401610784565b505b5f8681526008602090815260408083206001600160401b038816845282528220908290611e779087018761258e565b6001600160a01b03166001600160a01b031681526020019081526020015f205414611edd57611ea9602084018461258e565b6040516313a3081360e21b81526001600160a01b0390911660048201526001600160401b0385166024820152604401610784565b6020830135611eff576040516329e7276760e11b815260040160405180910390fd5b5f8681526008602090815260408083206001600160401b03881684528252822090850180359290611f30908761258e565b6001600160a01b031681526020808201929092526040015f2091909155611f599084018461258e565b6001600160a01b0316846001600160401b0316877f2f03f06a8675c1df3190d8854e36b01bb2843ff510984678663b0048835e1fe38660200135604051611fa291815260200190565b60405180910390a4505050505050565b5f82611fbf8686856122c3565b1495945050505050565b5f8481526007602090815260408083206001600160a01b03861684529091528120600285015460018201548254929392620f4240926301000000900463ffffffff169161201591612dc8565b61201f9190612e75565b6120299190612e8c565b90505f825f015482111561203e578254612040565b815b905080835f015f8282546120549190612e20565b9091555061206490508183612e20565b836001015f8282546120769190612e20565b9250508190555081866005015f8282546120909190612dc8565b9250508190555083856001600160a01b0316887fb03fda3fe1b79698de7994cef2871f268c3aa583108ee8ae3d0742f8e49bcf9b856040516120d491815260200190565b60405180910390a450505050505050565b5f306001600160a01b037f00000000000000000000000000000000000000000000000000000000000000001614801561213d57507f000000000000000000000000000000000000000000000000000000000000000046145b1561216757507f000000000000000000000000000000000000000000000000000000000000000090565b611b88604080517f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f60208201527f0000000000000000000000000000000000000000000000000000000000000000918101919091527f000000000000000000000000000000000000000000000000000000000000000060608201524660808201523060a08201525f9060c00160405160208183030381529060405280519060200120905090565b60605f61221a83612304565b6040805160208082528183019092529192505f91906020820181803683375050509182525060208101929092525090565b5f516020612eac5f395f51905f52546002036108a157604051633ee5aeb560e01b815260040160405180910390fd5b5f5f5f83516041036122b1576020840151604085015160608601515f1a6122a38882858561232b565b9550955095505050506122bc565b505081515f91506002905b9250925092565b5f81815b848110156122fb576122f1828787848181106122e5576122e5612aa9565b905060200201356123f3565b91506001016122c7565b50949350505050565b5f60ff8216601f8111156109a757604051632cd44ac360e21b815260040160405180910390fd5b5f80807f7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a084111561236457505f915060039050826123e9565b604080515f808252602082018084528a905260ff891692820192909252606081018790526080810186905260019060a0016020604051602081039080840390855afa1580156123b5573d5f5f3e3d5ffd5b5050604051601f1901519150506001600160a01b0381166123e057505f9250600191508290506123e9565b92505f91508190505b9450945094915050565b5f81831061240d575f82815260208490526040902061241b565b5f8381526020839052604090205b9392505050565b6040805160c0810182525f80825260208201529081016124776040805160e08101909152805f81525f6020820181905260408201819052606082018190526080820181905260a0820181905260c09091015290565b81525f602082018190526040820181905260609091015290565b6001600160401b0381168114610c98575f5ffd5b8035611a9881612491565b5f5f5f606084860312156124c2575f5ffd5b8335925060208401356124d481612491565b929592945050506040919091013590565b63ffffffff81168114610c98575f5ffd5b5f5f5f5f60808587031215612509575f5ffd5b84359350602085013561251b81612491565b9250604085013591506060850135612532816124e5565b939692955090935050565b80356001600160a01b0381168114611a98575f5ffd5b5f5f5f60608486031215612565575f5ffd5b83359250602084013561257781612491565b91506125856040850161253d565b90509250925092565b5f6020828403121561259e575f5ffd5b61241b8261253d565b5f5f604083850312156125b8575f5ffd5b823591506125c86020840161253d565b90509250929050565b5f5f604083850312156125e2575f5ffd5b8235915060208301356125f481612491565b809150509250929050565b5f81518084528060208401602086015e5f602082860101526020601f19601f83011685010191505092915050565b60ff60f81b8816815260e060208201525f61264b60e08301896125ff565b828103604084015261265d81896125ff565b606084018890526001600160a01b038716608085015260a0840186905283810360c0850152845180825260208087019350909101905f5b818110156126b2578351835260209384019390920191600101612694565b50909b9a5050505050505050505050565b5f5f5f606084860312156126d5575f5ffd5b833592506020840135915060408401356126ee816124e5565b809150509250925092565b5f60208284031215612709575f5ffd5b5035919050565b5f5f83601f840112612720575f5ffd5b5081356001600160401b03811115612736575f5ffd5b6020830191508360208260051b8501011115612750575f5ffd5b9250929050565b5f5f5f5f5f5f5f60c0888a03121561276d575f5ffd5b87359650602088013561277f81612491565b9550604088013594506060880135612796816124e5565b935060808801356127a6816124e5565b925060a08801356001600160401b038111156127c0575f5ffd5b6127cc8a828b01612710565b989b979a50959850939692959293505050565b5f5f5f5f5f8587036101408112156127f5575f5ffd5b86356001600160401b0381111561280a575f5ffd5b8701601f8101891361281a575f5ffd5b80356001600160401b0381111561282f575f5ffd5b896020828401011115612840575f5ffd5b60209182019750955061285490880161253d565b93506040870135925060e0605f198201121561286e575f5ffd5b506060860190509295509295909350565b5f5f60408385031215612890575f5ffd5b50508035926020909101359150565b5f5f5f5f5f5f608087890312156128b4575f5ffd5b8635955060208701356001600160401b038111156128d0575f5ffd5b870160c0818a0312156128e1575f5ffd5b945060408701356001600160401b038111156128fb575f5ffd5b61290789828a01612710565b90955093505060608701356001600160401b03811115612925575f5ffd5b61293189828a01612710565b979a9699509497509295939492505050565b634e487b7160e01b5f52602160045260245ffd5b6002811061297357634e487b7160e01b5f52602160045260245ffd5b9052565b81516001600160a01b031681526020808301519082015260408083015180516101808401926129a99190850190612957565b61ffff602082015116606084015263ffffffff60408201511660808401526001600160401b0360608201511660a08401526001600160401b0360808201511660c08401526001600160401b0360a08201511660e084015260c0810151610100840152506060830151612a276101208401826001600160401b03169052565b5060808301516001600160401b031661014083015260a0909201516101609091015290565b634e487b7160e01b5f52601160045260245ffd5b6001600160401b0381811683821601908111156109a7576109a7612a4c565b5f6001600160401b0382166001600160401b038103612aa057612aa0612a4c565b60010192915050565b634e487b7160e01b5f52603260045260245ffd5b5f8235605e19833603018112612ad1575f5ffd5b9190910192915050565b818382375f9101908152919050565b5f60208284031215612afa575f5ffd5b813561241b816124e5565b61ffff81168114610c98575f5ffd5b5f60208284031215612b24575f5ffd5b813561241b81612b05565b60028110610c98575f5ffd5b5f60208284031215612b4b575f5ffd5b813561241b81612b2f565b5f60208284031215612b66575f5ffd5b813561241b81612491565b5f81356109a781612b05565b5f81356109a7816124e5565b5f81356109a781612491565b8135612ba081612b2f565b60028110612bbc57634e487b7160e01b5f52602160045260245ffd5b60ff1982541660ff8216811783555050612bf3612bdb60208401612b71565b825462ffff00191660089190911b62ffff0016178255565b612c22612c0260408401612b7d565b825466ffffffff000000191660189190911b66ffffffff00000016178255565b612c61612c3160608401612b89565b82546effffffffffffffff00000000000000191660389190911b6effffffffffffffff0000000000000016178255565b612c9c612c7060808401612b89565b82805467ffffffffffffffff60781b191660789290921b67ffffffffffffffff60781b16919091179055565b612cd7612cab60a08401612b89565b82805467ffffffffffffffff60b81b191660b89290921b67ffffffffffffffff60b81b16919091179055565b60c09190910135600190910155565b61012081528361012082015283856101408301375f61014085830101525f610140601f19601f87011683010190508360208301528235612d2581612b2f565b612d326040840182612957565b506020830135612d4181612b05565b61ffff1660608301526040830135612d58816124e5565b63ffffffff1660808301526060830135612d7181612491565b6001600160401b031660a0830152612d8b608084016124a5565b6001600160401b031660c0830152612da560a084016124a5565b6001600160401b031660e083015260c09290920135610100909101529392505050565b808201808211156109a7576109a7612a4c565b5f5f8335601e19843603018112612df0575f5ffd5b8301803591506001600160401b03821115612e09575f5ffd5b6020019150600581901b3603821315612750575f5ffd5b818103818111156109a7576109a7612a4c565b5f5f8335601e19843603018112612e48575f5ffd5b8301803591506001600160401b03821115612e61575f5ffd5b602001915036819003821315612750575f5ffd5b80820281158282048414176109a7576109a7612a4c565b5f82612ea657634e487b7160e01b5f52601260045260245ffd5b50049056fe9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00a2646970667358221220c4415339fe94f1154ea16582e01b7481fff64881ff3dbb6b7e5ca9393eb6765d64736f6c634300081e0033' as const;
